/// The accounts a store holds policies for (or held: an account emptied stays listed), so that
/// a starting node can load them into its engine before it reports itself ready. The same
/// read answers whether the store is reachable and migrated.
public protocol AccountDirectory: Sendable {
    /// Every account ever written, in order.
    func writtenAccounts() async throws -> [AccountID]
}
