import GRDB
import SafelistCore
import SafelistSQL

extension SQLiteStore {
    /// The baseline the list benchmark compares against: one page read with plain
    /// `LIMIT … OFFSET …` over full rows (no deferred join), plus the same count. Returns the
    /// number of rows so the benchmark can check both paths agree.
    public func naiveListPage(account: AccountID, query: ListQuery) async throws -> Int {
        let sql = ListSQL(.sqlite, account: account, query: query)
        return try await read { db in
            _ = try Int.fetchOne(db, sql: sql.countSQL, arguments: StatementArguments(sql.arguments))
            let page = sql.naivePage(offset: query.offset ?? 0)
            return try Row.fetchAll(db, sql: page.sql, arguments: StatementArguments(page.arguments)).map(PolicyTable.decode).count
        }
    }
}
