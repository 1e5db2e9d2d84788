import GRDB
import SafelistCore
import SafelistSQL

extension SQLiteStore: AccountDirectory {
    public func writtenAccounts() async throws -> [AccountID] {
        try await read { db in try DatabaseValue.fetchAll(db.cachedStatement(sql: ChangeFeedSQL.accounts)).map { try PackedKey($0).account() } }
    }
}
