import GRDB
import SafelistCore

extension SQLiteStore {
    /// The baseline the list benchmark compares against: one page read with plain
    /// `LIMIT … OFFSET …` over full rows (no deferred join), plus the same count. Returns the
    /// number of rows so the benchmark can check both paths agree.
    public func naiveListPage(account: AccountID, query: ListQuery) async throws -> Int {
        let filter = ListFilterSQL(account: account, query: query)
        return try await read { db in
            _ = try Int.fetchOne(db, sql: filter.countSQL, arguments: filter.arguments)
            let sql = "SELECT \(PolicyRow.columns) FROM policies WHERE \(filter.condition) ORDER BY \(filter.orderBy) LIMIT ? OFFSET ?"
            return try Row.fetchAll(db, sql: sql, arguments: filter.arguments + [query.perPage, query.offset ?? 0])
                .map(PolicyRow.policy).count
        }
    }
}
