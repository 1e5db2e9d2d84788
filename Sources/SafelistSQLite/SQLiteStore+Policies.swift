import Foundation
import GRDB
import SafelistCore
import SafelistSQL

extension SQLiteStore: PolicyStore, PolicyBulkLoader {
    public func list(account: AccountID, query: ListQuery) async throws -> ListPage {
        try await list(account: account, query: query, seeking: true)
    }

    /// `seeking: false` always skips with `OFFSET`: the reference the seek path is tested
    /// against, and a benchmark's baseline. Count, generation and page come from one read.
    public func list(account: AccountID, query: ListQuery, seeking: Bool) async throws -> ListPage {
        let sql = ListSQL(.sqlite, account: account, query: query)
        let boundaries = self.boundaries
        return try await read { db in
            let counted = sql.countAndGeneration
            let row = try Row.fetchOne(db.cachedStatement(sql: counted.sql), arguments: StatementArguments(counted.arguments))
            let total: Int = row?[0] ?? 0, generation: Int64 = row?[1] ?? 0
            guard let read = boundaries.plan(query, account: account, total: total, generation: generation, seeking: seeking) else {
                return ListPage(policies: [], totalCount: total)
            }
            let page = sql.page(read)
            let policies = try Self.policies(db.cachedStatement(sql: page.sql), arguments: StatementArguments(page.arguments))
            return boundaries.finish(policies, total: total, query: query, account: account, generation: generation)
        }
    }

    /// SQLite's plans for a list query's window (the index walk that finds one page), the seek
    /// that replaces it on sequential pages, and its count: for tests that keep every order and
    /// filter on an index.
    func listQueryPlan(account: AccountID, query: ListQuery) async throws -> (window: String, seek: String, count: String) {
        let sql = ListSQL(.sqlite, account: account, query: query)
        return try await read { db in
            func plan(_ text: String, _ arguments: [SQLValue]) throws -> String {
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + text, arguments: StatementArguments(arguments))
                    .map { $0["detail"] as String }.joined(separator: " | ")
            }
            let probes = sql.planProbes
            return (
                try plan(probes.window.sql, probes.window.arguments), try plan(probes.seek.sql, probes.seek.arguments),
                try plan(sql.countSQL, sql.arguments)
            )
        }
    }

    /// Pages served by seeking past a remembered boundary, for tests and diagnostics.
    public var seekHits: Int { boundaries.hits }

    public func policy(account: AccountID, id: PolicyID) async throws -> AllowPolicy? {
        try await read { db in try Self.fetch(db, account: account, ids: [id])[id] }
    }

    /// All or nothing: the account's generation advances first, the planner's changes are
    /// applied, and what they touched is recorded for the change feed (`ChangeFeedSQL`). Writes
    /// that arrive together share a transaction, each in a savepoint (`GroupCommit`).
    public func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        let (result, generation) = try await groups.write(account: account, on: pool, counting: ownPolicyCommits, in: commits) { db in
            let generation = try Self.advanceGeneration(db, account: account)
            let existing = try Self.fetch(db, account: account, ids: request.referencedIDs)
            let plan = try WritePlanner.plan(request, account: account, existing: existing)
            for planned in plan.changes {
                do {
                    switch planned.change {
                    case .delete(let id):
                        try DirectStatement(cached: db, sql: "DELETE FROM policies WHERE id = ?1 AND account_id = ?2")
                            .run([SQLDialect.sqlite.value(of: id), SQLDialect.sqlite.value(of: account)])
                    case .update(let policy):
                        let update = PolicyTable.update(.sqlite, from: planned.before, to: policy)
                        try DirectStatement(cached: db, sql: update.sql).run(update.values)
                    case .insert(let policy):
                        try DirectStatement(cached: db, sql: PolicyTable.insert(.sqlite)).run(PolicyTable.insertValues(policy, .sqlite))
                    }
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                    throw SafelistError.duplicatePattern(pointer: planned.conflictPointer)
                }
            }
            try Self.record(db, account: account, ids: plan.changes.map(\.change.policyID), generation: generation)
            try Self.recordAudit(db, plan.audit(account: account, origin: request.origin))
            return (plan.result, generation)
        }
        hub.publish(.account(account, generation: generation))
        var committed = result
        committed.generation = generation
        return committed
    }

    /// Loads many policies in one transaction, for imports and benchmarks: one generation per
    /// account, each recorded as a create by `origin` in the audit trail. A large load
    /// (`bulkThreshold` rows and more) sets the policies' secondary indexes and count trigger
    /// aside, appends the rows, then builds each index once by sorting and adds the rows it
    /// counted in memory to the counts: a million rows through nine indexes, a third of them in
    /// random order, cost a random B-tree walk each (docs/benchmarks.md, "Import and export").
    /// Rows are bound with `DirectStatement`, each piece's values (and counts) made on another
    /// core while the piece before is bound (`Pipeline`); the feed records the load as one range
    /// and the trail is written by SQLite from the rows (`recordLoad`).
    public func insert(_ policies: [AllowPolicy], origin: ChangeOrigin, indexing: BulkIndexing) async throws {
        let bulk = policies.count >= Self.bulkThreshold
        let outsideWAL = bulk && options.bulkLoadsOutsideWAL ? await leaveWAL() : false
        let generations: [(AccountID, Int64)]
        do {
            generations = try await write { db in
                let byAccount = Dictionary(grouping: policies, by: \.accountID)
                let setAside = bulk ? try Self.setAsideIndexes(db) : []
                // The index builds sort with a helper thread a core, and with a small page cache
                // (4 MB): the sorter then hands sorted runs to the helpers while it reads the
                // table, then merges them. With 256 MB it sorted in memory on one thread: the nine
                // builds of a million-row import took 6.3 s, against 5.0 s now.
                if bulk {
                    try db.execute(sql: "PRAGMA cache_size = -4096")
                    try db.execute(sql: "PRAGMA threads = \(ProcessInfo.processInfo.activeProcessorCount)")
                }
                defer {
                    if bulk {
                        try? db.execute(sql: "PRAGMA cache_size = -2000")
                        try? db.execute(sql: "PRAGMA threads = 0")
                    }
                }
                let statement = try DirectStatement(db, sql: PolicyTable.insert(.sqlite))
                var counted: [[SQLValue]: Int64] = [:]
                var generations: [(AccountID, Int64)] = []
                for (account, rows) in byAccount {
                    let generation = try Self.advanceGeneration(db, account: account)
                    let lastRow = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM policies") ?? 0
                    try Pipeline.run(count: (rows.count + Self.piece - 1) / Self.piece) { index in
                        let slice = rows[index * Self.piece..<min(rows.count, (index + 1) * Self.piece)]
                        var counts: [[SQLValue]: Int64] = [:]
                        if bulk { PolicyCountsSQL.tally(slice, .sqlite, into: &counts) }
                        return (values: slice.map { PolicyTable.insertValues($0, .sqlite) }, counts: counts)
                    } consume: { piece in
                        for values in piece.values { try statement.run(values) }
                        counted.merge(piece.counts, uniquingKeysWith: +)
                    }
                    try Self.recordLoad(db, rows, after: lastRow, generation: generation, origin: origin)
                    generations.append((account, generation))
                }
                if bulk {
                    do {
                        for statement in setAside { try db.execute(sql: statement) }
                    } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                        throw SafelistError.duplicatePattern()
                    }
                    for row in PolicyCountsSQL.rows(counted) {
                        try db.execute(sql: PolicyCountsSQL.addSQLite, arguments: StatementArguments(row))
                    }
                }
                return generations
            }
        } catch {
            if outsideWAL { await returnToWAL() }
            throw error
        }
        if outsideWAL { await returnToWAL() }
        for (account, generation) in generations { hub.publish(.account(account, generation: generation)) }
    }

    /// A load's change feed and audit trail. The feed is one row, the range of the load's ids
    /// (`ChangeFeedSQL.recordLoad`); the trail is written by SQLite from the rows the load
    /// appended (those above `lastRow`, the largest rowid before it: SQLite gives a new row the
    /// largest plus one). Bound a row at a time from Swift they took 6.1 s of a million-row
    /// import's 19; written by SQLite from the rows, 3.7 s; this way 1.8 s.
    static func recordLoad(_ db: Database, _ policies: [AllowPolicy], after lastRow: Int64, generation: Int64, origin: ChangeOrigin) throws {
        guard let account = policies.first?.accountID, let (first, last) = ChangeFeedSQL.loadRange(policies) else { return }
        try db.execute(
            sql: ChangeFeedSQL.recordLoad(.sqlite), arguments: [PackedKey(account).data, generation, PackedKey(first).data, PackedKey(last).data])
        try db.execute(sql: AuditSQL.createdByLoadSQLite, arguments: StatementArguments(AuditSQL.createdByLoadArguments(origin, after: lastRow)))
    }

    /// The rows a load binds while the next piece's values are made on another core.
    private static let piece = 4096

    /// From this many rows, a load builds the indexes after the rows rather than with them.
    static let bulkThreshold = 20_000

    /// Drops the policies' secondary indexes and their count trigger inside the load's
    /// transaction (readers keep seeing them in their snapshots); returns the statements that
    /// make them again, read from the schema so that every migration's indexes come back.
    private static func setAsideIndexes(_ db: Database) throws -> [String] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT type, name, sql FROM sqlite_master
                WHERE tbl_name = 'policies' AND sql IS NOT NULL AND (type = 'index' OR (type = 'trigger' AND name = ?))
                """, arguments: [PolicyCountsSQL.sqliteInsertTrigger])
        var restore: [String] = []
        for row in rows {
            let type: String = row["type"], name: String = row["name"], sql: String = row["sql"]
            try db.execute(sql: "DROP \(type == "index" ? "INDEX" : "TRIGGER") \(name)")
            restore.append(sql)
        }
        return restore
    }

    private static let selectByID = "SELECT \(PolicyTable.selectList) FROM policies WHERE id = ?1 AND account_id = ?2"

    static func fetch(_ db: Database, account: AccountID, ids: [PolicyID]) throws -> [PolicyID: AllowPolicy] {
        var result: [PolicyID: AllowPolicy] = [:]
        guard !ids.isEmpty else { return result }
        let statement = try db.cachedStatement(sql: selectByID)
        let key = PackedKey(account).data
        for id in Set(ids) {
            if let policy = try Self.policies(statement, arguments: [PackedKey(id).data, key]).first { result[id] = policy }
        }
        return result
    }
}

extension SQLiteStore {
    public func conflictKeys(account: AccountID) async throws -> [PolicyConflictKey: PolicyID] {
        try await read { db in
            var keys: [PolicyConflictKey: PolicyID] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, pattern_type, is_regex, match_key FROM policies WHERE account_id = ?", arguments: [PackedKey(account).data])
            while let row = try rows.next() {
                let id = try PackedKey(row[0] as DatabaseValue).policyID
                let key = PolicyConflictKey(patternType: PatternType(rawValue: row[1]) ?? .unknown, isRegex: row[2], matchKey: row[3])
                keys[key] = id
            }
            return keys
        }
    }

    public func existingIDs(_ ids: [PolicyID]) async throws -> Set<PolicyID> {
        try await read { db in
            var found: Set<PolicyID> = []
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = ids[start..<min(start + 500, ids.count)]
                let sql = "SELECT id FROM policies WHERE id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ",")))"
                for value in try DatabaseValue.fetchAll(db, sql: sql, arguments: StatementArguments(chunk.map { PackedKey($0).data })) {
                    found.insert(try PackedKey(value).policyID)
                }
            }
            return found
        }
    }
}
