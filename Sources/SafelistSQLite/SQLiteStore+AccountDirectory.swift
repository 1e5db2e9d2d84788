import GRDB
import SafelistCore
import SafelistSQL

extension SQLiteStore: AccountDirectory {
    public func writtenAccounts() async throws -> [AccountID] {
        try await read { db in try String.fetchAll(db.cachedStatement(sql: ChangeFeedSQL.accounts)).compactMap(AccountID.init) }
    }
}
