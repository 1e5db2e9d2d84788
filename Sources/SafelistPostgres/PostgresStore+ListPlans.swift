import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresStore {
    /// PostgreSQL's plans for a list query's window (the index walk that finds one page) and the
    /// seek that replaces it on sequential pages, as `EXPLAIN` prints them with the parameters'
    /// values: for tests that keep every order and filter on an index, as SQLite's
    /// (`SQLiteStore.listQueryPlan`).
    func listQueryPlan(account: AccountID, query: ListQuery) async throws -> (window: String, seek: String) {
        let sql = ListSQL(.postgres, account: account, query: query)
        let logger = logger
        return try await withConnection { connection in
            func plan(_ text: String, _ arguments: [SQLValue]) async throws -> String {
                let rows = try await connection.query(PostgresQuery("EXPLAIN (COSTS OFF) " + text, arguments), logger: logger)
                var lines: [String] = []
                for try await line in rows.decode(String.self) { lines.append(line) }
                return lines.joined(separator: " | ")
            }
            let probes = sql.planProbes
            return (try await plan(probes.window.sql, probes.window.arguments), try await plan(probes.seek.sql, probes.seek.arguments))
        }
    }
}
