import GRDB
import SafelistCore
import SafelistSQL

extension SQLiteStore: PolicyChangeFeed {
    public func generations(of accounts: [AccountID]) async throws -> [AccountID: Int64] {
        guard !accounts.isEmpty else { return [:] }
        return try await read { db in
            var result: [AccountID: Int64] = [:]
            // SQLite takes at most 32,766 parameters a statement.
            for start in stride(from: 0, to: accounts.count, by: 500) {
                let chunk = accounts[start..<min(start + 500, accounts.count)]
                let sql = ChangeFeedSQL.generations(.sqlite, count: chunk.count)
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(chunk.map { PackedKey($0).data })) {
                    result[try PackedKey(row[0] as DatabaseValue).account()] = row[1]
                }
            }
            return result
        }
    }

    public func changes(account: AccountID, after generation: Int64) async throws -> PolicyChanges {
        try await read { db in
            let current = try Self.generation(db, account: account)
            let ids = try DatabaseValue.fetchAll(
                db.cachedStatement(sql: ChangeFeedSQL.changedSince(.sqlite)),
                arguments: [PackedKey(account).data, generation]
            ).map { try PackedKey($0).policyID }
            let present = try Self.fetch(db, account: account, ids: ids)
            return PolicyChanges(
                generation: current, upserted: ids.compactMap { present[$0] },
                deleted: ids.filter { present[$0] == nil })
        }
    }

    /// Only this process writes through this store object; the server is the only writer of
    /// policies (the CLI writes credentials), so local signals are complete.
    public func changeSignals() -> AsyncStream<ChangeSignal> {
        hub.subscribe()
    }

    static func generation(_ db: Database, account: AccountID) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: ChangeFeedSQL.generation(.sqlite)), arguments: [PackedKey(account).data]) ?? 0
    }

    /// This write's generation; SQLite has one writer at a time, so generations commit in order.
    static func advanceGeneration(_ db: Database, account: AccountID) throws -> Int64 {
        let key = SQLDialect.sqlite.value(of: account)
        try DirectStatement(cached: db, sql: ChangeFeedSQL.bumpGeneration(.sqlite)).run([key])
        return try DirectStatement(cached: db, sql: ChangeFeedSQL.generation(.sqlite)).int64([key]) ?? 0
    }

    static func record(_ db: Database, account: AccountID, ids: [PolicyID], generation: Int64) throws {
        // In key order: a set's order is random, and a million-row import that wrote its feed
        // in it walked the key's B-tree to a random leaf a row (8 s of a 42 s import).
        let sorted = Set(ids).sorted()
        let statement = try DirectStatement(cached: db, sql: ChangeFeedSQL.record(.sqlite))
        let key = SQLDialect.sqlite.value(of: account)
        for id in sorted { try statement.run([key, SQLDialect.sqlite.value(of: id), .integer(generation)]) }
    }
}
