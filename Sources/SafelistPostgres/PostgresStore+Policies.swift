import PostgresNIO
import SafelistCore

extension PostgresStore: PolicyStore {
    public func list(account: AccountID, query: ListQuery) async throws -> ListPage {
        try await list(account: account, query: query, seeking: true)
    }

    /// `seeking: false` always skips with `OFFSET`: the reference the seek path is tested
    /// against, and a benchmark's baseline.
    /// Count, generation and page come from one snapshot (REPEATABLE READ), so a remembered
    /// boundary is used only when no write happened since it was read.
    public func list(account: AccountID, query: ListQuery, seeking: Bool) async throws -> ListPage {
        let filter = PostgresListSQL(account: account, query: query)
        let boundaries = boundaries
        let logger = logger
        return try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
            var (total, generation) = (0, Int64(0))
            for try await row in try await connection.query(filter.countAndGeneration, logger: logger).decode((Int, Int64).self) {
                (total, generation) = row
            }
            guard let offset = query.offset, offset < total else { return ListPage(policies: [], totalCount: total) }
            let page: PostgresQuery
            if seeking, let boundary = boundaries.boundary(before: query, account: account, generation: generation) {
                page = filter.seekPage(after: boundary, limit: query.perPage)
            } else {
                page = filter.page(limit: query.perPage, offset: offset)
            }
            let policies = try await PostgresPolicyRow.policies(connection.query(page, logger: logger))
            if let last = policies.last {
                boundaries.remember(PageBoundary(after: last, order: query.order), endOf: query, account: account, generation: generation)
            }
            return ListPage(policies: policies, totalCount: total)
        }
    }

    /// Pages served by seeking past a remembered boundary, for tests and diagnostics.
    public var seekHits: Int { boundaries.hits }

    public func policy(account: AccountID, id: PolicyID) async throws -> AllowPolicy? {
        let logger = logger
        return try await withConnection { connection in
            try await Self.fetch(connection, account: account, ids: [id], logger: logger)[id]
        }
    }

    /// The account's generation row is locked first, so writes to one account run one at a time:
    /// the planner reads rows no other write can change before this one commits (no lost field
    /// between two nodes' edits), and generations commit in order (a gapless change feed).
    public func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        let logger = logger
        let (result, generation) = try await transaction { connection in
            let generation = try await Self.advanceGeneration(connection, account: account, logger: logger)
            let existing = try await Self.fetch(connection, account: account, ids: request.referencedIDs, logger: logger)
            let plan = try WritePlanner.plan(request, account: account, existing: existing)
            var touched: [String] = []
            var inserts: [WritePlanner.PlannedChange] = []
            // Inserts planned before a delete or update are written before it.
            func writeInserts() async throws {
                try await Self.insert(inserts, connection, logger: logger)
                inserts.removeAll()
            }
            for planned in plan.changes {
                switch planned.change {
                case .insert(let policy):
                    touched.append(policy.id.rawValue)
                    inserts.append(planned)
                case .delete(let id):
                    try await writeInserts()
                    touched.append(id.rawValue)
                    try await connection.query("DELETE FROM policies WHERE id = \(id.rawValue) AND account_id = \(account.rawValue)", logger: logger)
                case .update(let policy):
                    try await writeInserts()
                    touched.append(policy.id.rawValue)
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: PostgresPolicyRow.updateSQL,
                                                                 binds: PostgresPolicyRow.updateBindings(policy)), logger: logger)
                    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                        throw SafelistError.duplicatePattern(pointer: planned.conflictPointer)
                    }
                }
            }
            try await writeInserts()
            try await Self.record(connection, account: account, ids: touched, generation: generation, logger: logger)
            return (plan.result, generation)
        }
        hub.publish(.account(account, generation: generation))
        return result
    }

    /// Loads many policies in one transaction, for imports and benchmarks: one statement per
    /// 5,000 rows, through the same unique index as every other write.
    public func insert(_ policies: [AllowPolicy]) async throws {
        let logger = logger
        let byAccount = Dictionary(grouping: policies, by: \.accountID)
        let generations = try await transaction { connection in
            var generations: [AccountID: Int64] = [:]
            for (account, rows) in byAccount.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let generation = try await Self.advanceGeneration(connection, account: account, logger: logger)
                for start in stride(from: 0, to: rows.count, by: 5000) {
                    let chunk = Array(rows[start..<min(start + 5000, rows.count)])
                    try await connection.query(PostgresQuery(unsafeSQL: PostgresPolicyRow.insertSQL,
                                                             binds: PostgresPolicyRow.insertBindings(chunk)), logger: logger)
                    try await Self.record(connection, account: account, ids: chunk.map(\.id.rawValue), generation: generation, logger: logger)
                }
                generations[account] = generation
            }
            return generations
        }
        for (account, generation) in generations { hub.publish(.account(account, generation: generation)) }
    }

    /// Inserts a run of new policies in one statement: a batch of a thousand posts is one round
    /// trip, not a thousand (which took seconds, and past the request timeout on a loaded
    /// host). A row whose pattern is taken is skipped rather than failing the statement, so the
    /// first one missing from what was inserted is the post the conflict is reported at, as if
    /// the rows had gone in one by one.
    static func insert(_ run: [WritePlanner.PlannedChange], _ connection: PostgresConnection, logger: Logger) async throws {
        let rows: [(policy: AllowPolicy, pointer: String)] = run.compactMap { planned in
            guard case .insert(let policy) = planned.change else { return nil }
            return (policy, planned.conflictPointer)
        }
        guard !rows.isEmpty else { return }
        let returned = try await connection.query(
            PostgresQuery(unsafeSQL: PostgresPolicyRow.insertSQL + " ON CONFLICT DO NOTHING RETURNING id",
                          binds: PostgresPolicyRow.insertBindings(rows.map(\.policy))), logger: logger)
        var inserted: Set<String> = []
        for try await id in returned.decode(String.self) { inserted.insert(id) }
        if inserted.count < rows.count, let first = rows.first(where: { !inserted.contains($0.policy.id.rawValue) }) {
            throw SafelistError.duplicatePattern(pointer: first.pointer)
        }
    }

    static func fetch(_ connection: PostgresConnection, account: AccountID, ids: [PolicyID], logger: Logger) async throws -> [PolicyID: AllowPolicy] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.query("""
            SELECT \(unescaped: PostgresPolicyRow.columns) FROM policies WHERE account_id = \(account.rawValue) AND id = ANY(\(ids.map(\.rawValue)))
            """, logger: logger)
        var result: [PolicyID: AllowPolicy] = [:]
        for policy in try await PostgresPolicyRow.policies(rows) { result[policy.id] = policy }
        return result
    }

    static func generation(_ connection: PostgresConnection, account: AccountID, logger: Logger) async throws -> Int64 {
        var generation: Int64 = 0
        let rows = try await connection.query(
            "SELECT generation FROM policy_generations WHERE account_id = \(account.rawValue)", logger: logger)
        for try await value in rows.decode(Int64.self) { generation = value }
        return generation
    }

    /// Takes the account's write lock (the row) until commit and returns this write's generation.
    static func advanceGeneration(_ connection: PostgresConnection, account: AccountID, logger: Logger) async throws -> Int64 {
        var generation: Int64 = 0
        let rows = try await connection.query("""
            INSERT INTO policy_generations (account_id, generation) VALUES (\(account.rawValue), 1)
            ON CONFLICT (account_id) DO UPDATE SET generation = policy_generations.generation + 1
            RETURNING generation
            """, logger: logger)
        for try await value in rows.decode(Int64.self) { generation = value }
        return generation
    }

    /// Records what a write touched for the change feed, and tells listening nodes at commit.
    static func record(_ connection: PostgresConnection, account: AccountID, ids: [String], generation: Int64, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query("""
            INSERT INTO policy_changes (account_id, policy_id, generation)
            SELECT \(account.rawValue), unnest(\(Array(Set(ids)))::text[]), \(generation)
            ON CONFLICT (account_id, policy_id) DO UPDATE SET generation = EXCLUDED.generation
            """, logger: logger)
        try await connection.query(
            "SELECT pg_notify(\(changeChannel), \(account.rawValue + ":" + String(generation)))", logger: logger)
    }

    static let changeChannel = "safelist_policy_changes"
}
