import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresStore: PolicyExportSource {
    /// One statement in one snapshot, its rows streamed: the server sends the next rows while
    /// these are written (a thousand list pages spent most of their time planned, counted and
    /// waited for: 12 s for a million).
    public func forEachPolicy(account: AccountID, batch: Int, _ body: @escaping @Sendable ([AllowPolicy]) throws -> Void) async throws {
        let logger = logger
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
            var policies: [AllowPolicy] = []
            policies.reserveCapacity(batch)
            let rows = try await connection.query(PostgresQuery(ListSQL.everyPolicy(.postgres), [.text(account.rawValue)]), logger: logger)
            for try await row in rows {
                policies.append(try PolicyTable.decode(row.makeRandomAccess()))
                if policies.count == batch {
                    try body(policies)
                    policies.removeAll(keepingCapacity: true)
                }
            }
            if !policies.isEmpty { try body(policies) }
        }
    }
}
