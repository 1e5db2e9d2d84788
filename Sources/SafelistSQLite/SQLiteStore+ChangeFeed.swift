import GRDB
import SafelistCore

extension SQLiteStore: PolicyChangeFeed {
    public func generations() async throws -> [AccountID: Int64] {
        try await read { db in
            var result: [AccountID: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account_id, generation FROM policy_generations") {
                if let account = AccountID(row["account_id"] as String) { result[account] = row["generation"] }
            }
            return result
        }
    }

    public func changes(account: AccountID, after generation: Int64) async throws -> PolicyChanges {
        try await read { db in
            let current = try Self.generation(db, account: account)
            let ids = try String.fetchAll(
                db.cachedStatement(sql: "SELECT policy_id FROM policy_changes WHERE account_id = ? AND generation > ?"),
                arguments: [account.rawValue, generation]).map(PolicyID.init(trusted:))
            let present = try Self.fetch(db, account: account, ids: ids)
            return PolicyChanges(generation: current, upserted: ids.compactMap { present[$0] },
                                 deleted: ids.filter { present[$0] == nil })
        }
    }

    /// Only this process writes through this store object; the server is the only writer of
    /// policies (the CLI writes credentials), so local signals are complete.
    public func changeSignals() -> AsyncStream<ChangeSignal> {
        hub.subscribe()
    }

    static func generation(_ db: Database, account: AccountID) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT generation FROM policy_generations WHERE account_id = ?"),
                           arguments: [account.rawValue]) ?? 0
    }
}
