import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresStore {
    /// PostgreSQL's plans for a list query's window (the index walk that finds one page) and the
    /// seek that replaces it on sequential pages, as `EXPLAIN` prints them with the parameters'
    /// values: for tests that keep every order and filter on an index, as SQLite's
    /// (`SQLiteStore.listQueryPlan`).
    public func listQueryPlan(account: AccountID, query: ListQuery) async throws -> (window: String, seek: String) {
        let sql = ListSQL(.postgres, account: account, query: query)
        let logger = logger
        return try await withConnection { connection in
            func plan(_ text: String, _ arguments: [SQLValue]) async throws -> String {
                let rows = try await connection.query(PostgresQuery("EXPLAIN (COSTS OFF) " + text, arguments), logger: logger)
                var lines: [String] = []
                for try await line in rows.decode(String.self) { lines.append(line) }
                return lines.joined(separator: " | ")
            }
            let boundary = PageBoundary(value: query.order == .pattern ? .text("x") : .integer(0), id: PolicyID(uuid: .init()))
            return (
                try await plan(sql.windowSQL, sql.arguments + [.integer(Int64(query.perPage)), .integer(0)]),
                try await plan(sql.seekWindowSQL, sql.arguments + sql.seekArguments(after: boundary))
            )
        }
    }
}
