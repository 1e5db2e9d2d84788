import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresStore {
    /// The baseline the list benchmark compares against: one page read with plain
    /// `LIMIT … OFFSET …` over full rows (no deferred join), plus the same count. Returns the
    /// number of rows so the benchmark can check both paths agree.
    public func naiveListPage(account: AccountID, query: ListQuery) async throws -> Int {
        let sql = ListSQL(.postgres, account: account, query: query)
        let logger = logger
        return try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
            for try await _ in try await connection.query(PostgresQuery(sql.countSQL, sql.arguments), logger: logger).decode(Int.self) {}
            let page = sql.naivePage(offset: query.offset ?? 0)
            return try await PostgresPolicyRows.policies(connection.query(PostgresQuery(page.sql, page.arguments), logger: logger)).count
        }
    }

    /// Refreshes planner statistics and the visibility map after a bulk load, as autovacuum
    /// would soon after: without it PostgreSQL cannot use index-only scans.
    public func vacuumAnalyze() async throws {
        let logger = logger
        _ = try await withConnection { connection in
            try await connection.query("VACUUM (ANALYZE) policies", logger: logger)
        }
    }
}
