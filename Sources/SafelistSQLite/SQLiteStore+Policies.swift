import GRDB
import SafelistCore

extension SQLiteStore: PolicyStore {
    public func list(account: AccountID, query: ListQuery) async throws -> ListPage {
        try await list(account: account, query: query, seeking: true)
    }

    /// `seeking: false` always skips with `OFFSET`: the reference the seek path is tested
    /// against, and a benchmark's baseline.
    public func list(account: AccountID, query: ListQuery, seeking: Bool) async throws -> ListPage {
        let filter = ListFilterSQL(account: account, query: query)
        let boundaries = self.boundaries
        return try await read { db in
            let total = try Int.fetchOne(db.cachedStatement(sql: filter.countSQL), arguments: filter.arguments) ?? 0
            guard let offset = query.offset, offset < total else { return ListPage(policies: [], totalCount: total) }
            let generation = try Self.generation(db, account: account)
            let rows: [Row]
            if seeking, let boundary = boundaries.boundary(before: query, account: account, generation: generation) {
                let value: any DatabaseValueConvertible = switch boundary.value {
                case .integer(let number): number
                case .text(let text): text
                }
                rows = try Row.fetchAll(db.cachedStatement(sql: filter.seekPageSQL),
                                        arguments: filter.arguments + [value, boundary.id, query.perPage])
            } else {
                rows = try Row.fetchAll(db.cachedStatement(sql: filter.pageSQL),
                                        arguments: filter.arguments + [query.perPage, offset])
            }
            let policies = try rows.map(PolicyRow.policy)
            if let last = policies.last {
                boundaries.remember(PageBoundary(after: last, order: query.order), endOf: query,
                                    account: account, generation: generation)
            }
            return ListPage(policies: policies, totalCount: total)
        }
    }

    /// SQLite's plans for a list query's window (the index walk that finds one page), the seek
    /// that replaces it on sequential pages, and its count: for tests that keep every order and
    /// filter on an index.
    func listQueryPlan(account: AccountID, query: ListQuery) async throws -> (window: String, seek: String, count: String) {
        let filter = ListFilterSQL(account: account, query: query)
        return try await read { db in
            func plan(_ sql: String, _ arguments: StatementArguments) throws -> String {
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                    .map { $0["detail"] as String }.joined(separator: " | ")
            }
            let boundary: any DatabaseValueConvertible = query.order == .pattern ? "x" : 0
            return (try plan(filter.windowSQL, filter.arguments + [query.perPage, 0]),
                    try plan(filter.seekWindowSQL, filter.arguments + [boundary, "id", query.perPage]),
                    try plan(filter.countSQL, filter.arguments))
        }
    }

    /// Pages served by seeking past a remembered boundary, for tests and diagnostics.
    public var seekHits: Int { boundaries.hits }

    public func policy(account: AccountID, id: PolicyID) async throws -> AllowPolicy? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(PolicyRow.columns) FROM policies WHERE id = ? AND account_id = ?"),
                             arguments: [id.rawValue, account.rawValue]).map(PolicyRow.policy)
        }
    }

    public func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        let (result, generation) = try await write { db in
            let existing = try Self.fetch(db, account: account, ids: request.referencedIDs)
            let plan = try WritePlanner.plan(request, account: account, existing: existing)
            for planned in plan.changes {
                do {
                    switch planned.change {
                    case .delete(let id):
                        try db.cachedStatement(sql: "DELETE FROM policies WHERE id = ? AND account_id = ?")
                            .execute(arguments: [id.rawValue, account.rawValue])
                    case .update(let policy):
                        try db.cachedStatement(sql: PolicyRow.updateSQL).execute(arguments: PolicyRow.updateArguments(policy))
                    case .insert(let policy):
                        try db.cachedStatement(sql: PolicyRow.insertSQL).execute(arguments: PolicyRow.insertArguments(policy))
                    }
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                    throw SafelistError.duplicatePattern(pointer: planned.conflictPointer)
                }
            }
            return (plan.result, try Self.generation(db, account: account))
        }
        hub.publish(.account(account, generation: generation))
        return result
    }

    /// Loads many policies in one transaction, for imports and benchmarks. Goes through the
    /// same unique index as every other write.
    public func insert(_ policies: [AllowPolicy]) async throws {
        let generations = try await write { db in
            let statement = try db.cachedStatement(sql: PolicyRow.insertSQL)
            for policy in policies { try statement.execute(arguments: PolicyRow.insertArguments(policy)) }
            return try Set(policies.map(\.accountID)).map { ($0, try Self.generation(db, account: $0)) }
        }
        for (account, generation) in generations { hub.publish(.account(account, generation: generation)) }
    }

    static func fetch(_ db: Database, account: AccountID, ids: [PolicyID]) throws -> [PolicyID: AllowPolicy] {
        var result: [PolicyID: AllowPolicy] = [:]
        let statement = try db.cachedStatement(sql: "SELECT \(PolicyRow.columns) FROM policies WHERE id = ? AND account_id = ?")
        for id in Set(ids) {
            if let row = try Row.fetchOne(statement, arguments: [id.rawValue, account.rawValue]) {
                result[id] = try PolicyRow.policy(row)
            }
        }
        return result
    }
}
