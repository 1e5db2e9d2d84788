import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresStore: AccountDirectory {
    public func writtenAccounts() async throws -> [AccountID] {
        let logger = logger
        return try await withConnection { connection in
            var accounts: [AccountID] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: ChangeFeedSQL.accounts), logger: logger)
            for try await account in rows.decode(String.self) {
                if let id = AccountID(account) { accounts.append(id) }
            }
            return accounts
        }
    }
}
