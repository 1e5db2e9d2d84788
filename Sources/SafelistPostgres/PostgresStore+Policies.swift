import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresStore: PolicyStore, PolicyBulkLoader {
    public func list(account: AccountID, query: ListQuery) async throws -> ListPage {
        try await list(account: account, query: query, seeking: true)
    }

    /// `seeking: false` always skips with `OFFSET`: the reference the seek path is tested
    /// against, and a benchmark's baseline. Count, generation and page come from one snapshot
    /// (REPEATABLE READ), so a remembered boundary is used only when no write happened since.
    public func list(account: AccountID, query: ListQuery, seeking: Bool) async throws -> ListPage {
        let sql = ListSQL(.postgres, account: account, query: query)
        let boundaries = boundaries
        let logger = logger
        return try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
            var (total, generation) = (0, Int64(0))
            let counted = sql.countAndGeneration
            for try await row in try await connection.query(PostgresQuery(counted.sql, counted.arguments), logger: logger)
                .decode((Int, Int64).self)
            {
                (total, generation) = row
            }
            guard let read = boundaries.plan(query, account: account, total: total, generation: generation, seeking: seeking) else {
                return ListPage(policies: [], totalCount: total)
            }
            let page = sql.page(read)
            let policies = try await PostgresPolicyRows.policies(connection.query(PostgresQuery(page.sql, page.arguments), logger: logger))
            return boundaries.finish(policies, total: total, query: query, account: account, generation: generation)
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

    /// All or nothing: the account's generation advances first (its row is the account's write
    /// lock until commit, so the planner reads rows no other node can change before this write
    /// commits), the planner's changes are applied, and what they touched is recorded for the
    /// change feed (`ChangeFeedSQL`). Writes that arrive together share a transaction
    /// (`GroupCommit`, `commit(_:)`).
    public func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        let logger = logger
        let referenced = request.referencedIDs
        let write: PostgresWrite = { connection in
            if referenced.isEmpty {
                // Creates only: nothing to read first, so the plan is made now and the whole
                // write is one statement (`create`).
                let plan = try WritePlanner.plan(request, account: account, existing: [:])
                let generation = try await Self.create(plan, account: account, origin: request.origin, connection, logger: logger)
                return (plan.result, generation)
            }
            let generation = try await Self.advanceGeneration(connection, account: account, logger: logger)
            let existing = try await Self.fetch(connection, account: account, ids: referenced, logger: logger)
            let plan = try WritePlanner.plan(request, account: account, existing: existing)
            var inserts: [WritePlanner.PlannedChange] = []
            // Inserts planned before a delete or update are written before it.
            func writeInserts() async throws {
                try await Self.insert(inserts, connection, logger: logger)
                inserts.removeAll()
            }
            for planned in plan.changes {
                switch planned.change {
                case .insert:
                    inserts.append(planned)
                case .delete(let id):
                    try await writeInserts()
                    try await connection.query("DELETE FROM policies WHERE id = \(id.rawValue) AND account_id = \(account.rawValue)", logger: logger)
                case .update(let policy):
                    try await writeInserts()
                    do {
                        let update = PolicyTable.update(.postgres, from: planned.before, to: policy)
                        try await connection.query(PostgresQuery(update.sql, update.values), logger: logger)
                    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                        throw SafelistError.duplicatePattern(pointer: planned.conflictPointer)
                    }
                }
            }
            try await writeInserts()
            try await Self.record(
                connection, account: account, ids: plan.changes.map(\.change.policyID), generation: generation,
                audit: plan.audit(account: account, origin: request.origin), origin: request.origin, logger: logger)
            return (plan.result, generation)
        }
        let (result, generation): (BatchResult, Int64) = try await groups.submit(account: account, write) { group in
            await self.commit(group)
        }
        hub.publish(.account(account, generation: generation))
        var committed = result
        committed.generation = generation
        return committed
    }

    /// One transaction for a group of writes, run first without savepoints (two round trips
    /// fewer a write): writes rarely fail. If one fails with an error of its own (a validation
    /// error, a duplicate pattern), the transaction is rolled back and the group run again,
    /// each write in a savepoint, so that the failing one rolls back to it and fails alone. Any
    /// other failure (the connection, the server) fails the group, none of it committed.
    func commit(_ group: [GroupCommit<PostgresWrite>.Write]) async -> [GroupCommit<PostgresWrite>.Outcome] {
        let logger = logger
        do {
            return try await withConnection { connection in
                if group.count > 1, let outcomes = try await Self.commitWithoutSavepoints(group, connection, logger: logger) {
                    return outcomes
                }
                return try await Self.inTransaction(connection, logger: logger) { connection in
                    var outcomes: [GroupCommit<PostgresWrite>.Outcome] = []
                    outcomes.reserveCapacity(group.count)
                    let savepoints = group.count > 1
                    for write in group {
                        if savepoints { try await connection.query("SAVEPOINT grouped_write", logger: logger) }
                        do {
                            outcomes.append(.success(try await write.body(connection)))
                            if savepoints { try await connection.query("RELEASE SAVEPOINT grouped_write", logger: logger) }
                        } catch let error as SafelistError {
                            // Alone, the write's own transaction is rolled back with its error.
                            guard savepoints else { throw error }
                            try await connection.query("ROLLBACK TO SAVEPOINT grouped_write", logger: logger)
                            try await connection.query("RELEASE SAVEPOINT grouped_write", logger: logger)
                            outcomes.append(.failure(error))
                        }
                    }
                    return outcomes
                }
            }
        } catch {
            return Array(repeating: .failure(error), count: group.count)
        }
    }

    /// The group's outcomes, all successes, or nil (rolled back) when a write failed with an
    /// error of its own.
    private static func commitWithoutSavepoints(
        _ group: [GroupCommit<PostgresWrite>.Write], _ connection: PostgresConnection, logger: Logger
    ) async throws -> [GroupCommit<PostgresWrite>.Outcome]? {
        do {
            return try await inTransaction(connection, logger: logger) { connection in
                var outcomes: [GroupCommit<PostgresWrite>.Outcome] = []
                outcomes.reserveCapacity(group.count)
                for write in group { outcomes.append(.success(try await write.body(connection))) }
                return outcomes
            }
        } catch is SafelistError {
            return nil
        }
    }

    /// Loads many policies in one transaction, for imports and benchmarks: one generation per
    /// account; the rows and their audit entries (each a create by `origin`) streamed by `COPY`,
    /// the change feed recorded as the range of the ids (`recordLoad`). The rows go through the table's indexes,
    /// or with `rebuiltExclusively` (from `Options.rebuildIndexesFrom` rows) the secondary ones
    /// are dropped for the load and built once after, in the same transaction: the unique one
    /// then refuses a duplicate for the whole load.
    public func insert(_ policies: [AllowPolicy], origin: ChangeOrigin, indexing: BulkIndexing) async throws {
        let logger = logger
        let byAccount = Dictionary(grouping: policies, by: \.accountID)
        let rebuild = indexing == .rebuiltExclusively && policies.count >= options.rebuildIndexesFrom
        let generations = try await transaction { connection in
            let restore = rebuild ? try await Self.dropSecondaryIndexes(connection, logger: logger) : []
            var generations: [AccountID: Int64] = [:]
            // A pattern taken twice breaks the unique index: as a row goes in, or as the index
            // is built again. A taken id (the primary key) stays the store's error.
            do {
                for (account, rows) in byAccount.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    let generation = try await Self.advanceGeneration(connection, account: account, logger: logger)
                    try await CopyRows.copy(
                        into: "policies", columns: PolicyTable.columns.map(\.name), rows: rows.lazy.map { PolicyTable.insertValues($0, .postgres) },
                        on: connection, logger: logger)
                    try await Self.recordLoad(connection, account: account, rows: rows, generation: generation, logger: logger)
                    try await CopyRows.copy(
                        into: "policy_audit", columns: AuditSQL.insertedColumnNames,
                        rows: rows.lazy.map { AuditSQL.values(AuditEntry(created: $0, by: origin), .postgres) }, on: connection, logger: logger)
                    generations[account] = generation
                }
                for statement in restore { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            } catch let error as PSQLError
                where error.serverInfo?[.sqlState] == "23505" && error.serverInfo?[.constraintName] != "policies_pkey"
            {
                throw SafelistError.duplicatePattern()
            }
            // Fresh statistics for the planner: without them, the list pages of an export that
            // follows a large load were planned as scans and sorts (42 s for a million, against
            // 11 s once autovacuum had analyzed the table).
            if policies.count >= 20_000 { try await connection.query("ANALYZE policies", logger: logger) }
            return generations
        }
        for (account, generation) in generations { hub.publish(.account(account, generation: generation)) }
    }

    /// Drops the policies' indexes but the primary key, for a load that builds them after;
    /// returns their definitions, read from the catalogue so that every migration's come back.
    /// The sort of each build gets 256 MB.
    private static func dropSecondaryIndexes(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query("SET LOCAL maintenance_work_mem = '256MB'", logger: logger)
        var indexes: [(name: String, definition: String)] = []
        let rows = try await connection.query(
            """
            SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = 'policies'::regclass AND NOT x.indisprimary
            """, logger: logger)
        for try await (name, definition) in rows.decode((String, String).self) { indexes.append((name, definition)) }
        for index in indexes {
            try await connection.query(PostgresQuery(unsafeSQL: "DROP INDEX \"\(index.name)\""), logger: logger)
        }
        return indexes.map(\.definition)
    }

    /// Inserts a run of new policies in one statement: a batch of a thousand posts is one round
    /// trip, not a thousand. A row whose pattern is taken is skipped rather than failing the
    /// statement, so the first one missing from what was inserted is the post the conflict is
    /// reported at, as if the rows had gone in one by one.
    static func insert(_ run: [WritePlanner.PlannedChange], _ connection: PostgresConnection, logger: Logger) async throws {
        let rows = insertedRows(run)
        guard !rows.isEmpty else { return }
        let returned = try await connection.query(
            PostgresQuery(
                unsafeSQL: PostgresPolicyRows.insertSQL + " ON CONFLICT DO NOTHING RETURNING id",
                binds: PostgresPolicyRows.insertBindings(rows.map(\.policy))), logger: logger)
        var inserted: Set<String> = []
        for try await id in returned.decode(String.self) { inserted.insert(id) }
        try expectInserted(rows, inserted)
    }

    /// The new policies of planned changes, each with where its conflict is reported.
    private static func insertedRows(_ changes: [WritePlanner.PlannedChange]) -> [(policy: AllowPolicy, pointer: String)] {
        changes.compactMap { planned in
            guard case .insert(let policy) = planned.change else { return nil }
            return (policy, planned.conflictPointer)
        }
    }

    /// The first row missing from the ids an insert returned had its pattern taken.
    private static func expectInserted(_ rows: [(policy: AllowPolicy, pointer: String)], _ inserted: Set<String>) throws {
        if inserted.count < rows.count, let first = rows.first(where: { !inserted.contains($0.policy.id.rawValue) }) {
            throw SafelistError.duplicatePattern(pointer: first.pointer)
        }
    }

    static func fetch(_ connection: PostgresConnection, account: AccountID, ids: [PolicyID], logger: Logger) async throws -> [PolicyID: AllowPolicy] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: PolicyTable.selectList) FROM policies WHERE account_id = \(account.rawValue) AND id = ANY(\(ids.map(\.rawValue)))
            """, logger: logger)
        var result: [PolicyID: AllowPolicy] = [:]
        for policy in try await PostgresPolicyRows.policies(rows) { result[policy.id] = policy }
        return result
    }

    static func generation(_ connection: PostgresConnection, account: AccountID, logger: Logger) async throws -> Int64 {
        try await single(connection.query(PostgresQuery(ChangeFeedSQL.generation(.postgres), [.text(account.rawValue)]), logger: logger))
    }

    static func advanceGeneration(_ connection: PostgresConnection, account: AccountID, logger: Logger) async throws -> Int64 {
        try await single(connection.query(PostgresQuery(ChangeFeedSQL.advanceGeneration(.postgres), [.text(account.rawValue)]), logger: logger))
    }

    /// A write of creates only, as one statement: one round trip where it took three (the
    /// generation, the rows, the audit trail), each a wait for the server on a group commit's
    /// connection. The account's generation row is taken first, as every write takes it (the
    /// account's write lock), the new ids recorded for the change feed and listening nodes told
    /// at commit; the rows go in as `insert` puts them, a row whose pattern is taken skipped so
    /// that the first post missing from what went in is the one the conflict is reported at,
    /// and the write then fails and is rolled back with its audit entries.
    static func create(
        _ plan: WritePlanner.Plan, account: AccountID, origin: ChangeOrigin, _ connection: PostgresConnection, logger: Logger
    ) async throws -> Int64 {
        let rows = insertedRows(plan.changes)
        var bindings = PostgresBindings(capacity: 3 + PostgresPolicyRows.insertParameters + 9)
        bindings.append(account.rawValue)
        bindings.append(Array(Set(rows.map(\.policy.id.rawValue))))
        bindings.append(changeChannel)
        PostgresPolicyRows.appendInsertBindings(rows.map(\.policy), to: &bindings)
        appendAuditBindings(plan.audit(account: account, origin: origin), origin: origin, to: &bindings)
        var generation: Int64 = 0
        var inserted: Set<String> = []
        let result = try await connection.query(PostgresQuery(unsafeSQL: createSQL, binds: bindings), logger: logger)
        for try await (advanced, ids) in result.decode((Int64, [String]).self) {
            generation = advanced
            inserted = Set(ids)
        }
        try expectInserted(rows, inserted)
        return generation
    }

    /// `create`'s statement. Parameters: the account, the new ids, the change channel, then
    /// the rows' arrays and the audit trail's.
    private static let createSQL: String = {
        let rows = 4, trail = rows + PostgresPolicyRows.insertParameters
        return """
            WITH advanced AS (\(ChangeFeedSQL.advanceGeneration(.postgres))), \
            recorded AS (INSERT INTO policy_changes (account_id, policy_id, generation) \
            SELECT $1, unnest($2::text[]), generation FROM advanced \
            ON CONFLICT (account_id, policy_id) DO UPDATE SET generation = EXCLUDED.generation), \
            inserted AS (\(PostgresPolicyRows.insertSQL(from: rows)) ON CONFLICT DO NOTHING RETURNING id), \
            audited AS (\(AuditSQL.insertMany(account: 1, from: trail))) \
            SELECT generation, ARRAY(SELECT id FROM inserted) FROM advanced, \
            LATERAL (SELECT pg_notify($3, $1 || ':' || advanced.generation::text)) AS notified
            """
    }()

    /// Records a load for the change feed as the range of its ids (`ChangeFeedSQL.recordLoad`),
    /// and tells listening nodes at commit.
    static func recordLoad(
        _ connection: PostgresConnection, account: AccountID, rows: [AllowPolicy], generation: Int64, logger: Logger
    ) async throws {
        guard let (first, last) = ChangeFeedSQL.loadRange(rows) else { return }
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(account.rawValue)
        bindings.append(generation)
        bindings.append(first.rawValue)
        bindings.append(last.rawValue)
        bindings.append(changeChannel)
        bindings.append(account.rawValue + ":" + String(generation))
        try await connection.query(
            PostgresQuery(unsafeSQL: "WITH recorded AS (\(ChangeFeedSQL.recordLoad(.postgres))) SELECT pg_notify($5, $6)", binds: bindings),
            logger: logger)
    }

    private static func single(_ rows: PostgresRowSequence) async throws -> Int64 {
        var value: Int64 = 0
        for try await number in rows.decode(Int64.self) { value = number }
        return value
    }

    /// Records what a write touched for the change feed and in the audit trail, and tells
    /// listening nodes at commit. One round trip: a data-modifying WITH runs once whether or not
    /// the query reads it.
    static func record(
        _ connection: PostgresConnection, account: AccountID, ids: [PolicyID], generation: Int64, audit entries: [AuditEntry],
        origin: ChangeOrigin, logger: Logger
    ) async throws {
        guard !ids.isEmpty else { return }
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(account.rawValue)
        bindings.append(Array(Set(ids.map(\.rawValue))))
        bindings.append(generation)
        bindings.append(changeChannel)
        bindings.append(account.rawValue + ":" + String(generation))
        appendAuditBindings(entries, origin: origin, to: &bindings)
        try await connection.query(PostgresQuery(unsafeSQL: recordSQL, binds: bindings), logger: logger)
    }

    /// `record`'s statement. Parameters: the account, the ids, the generation, the channel and
    /// its payload, then the audit trail's.
    private static let recordSQL = """
        WITH recorded AS (\(ChangeFeedSQL.record(.postgres))), audited AS (\(AuditSQL.insertMany(account: 1, from: 6))) \
        SELECT pg_notify($4, $5)
        """

    static let changeChannel = "safelist_policy_changes"
}

/// A write as PostgreSQL's group commit runs it: on the group's connection, inside its
/// transaction.
typealias PostgresWrite = @Sendable (PostgresConnection) async throws -> any Sendable

extension PostgresStore {
    public func conflictKeys(account: AccountID) async throws -> [PolicyConflictKey: PolicyID] {
        let logger = logger
        return try await withConnection { connection in
            var keys: [PolicyConflictKey: PolicyID] = [:]
            let rows = try await connection.query(
                "SELECT id, pattern_type, is_regex, match_key FROM policies WHERE account_id = \(account.rawValue)", logger: logger)
            for try await (idText, type, isRegex, matchKey) in rows.decode((String, String, Bool, String).self) {
                guard let id = PolicyID(idText) else { continue }
                keys[PolicyConflictKey(patternType: PatternType(rawValue: type) ?? .unknown, isRegex: isRegex, matchKey: matchKey)] = id
            }
            return keys
        }
    }

    public func existingIDs(_ ids: [PolicyID]) async throws -> Set<PolicyID> {
        let logger = logger
        return try await withConnection { connection in
            var found: Set<PolicyID> = []
            let rows = try await connection.query("SELECT id FROM policies WHERE id = ANY(\(ids.map(\.rawValue)))", logger: logger)
            for try await text in rows.decode(String.self) {
                if let id = PolicyID(text) { found.insert(id) }
            }
            return found
        }
    }
}
