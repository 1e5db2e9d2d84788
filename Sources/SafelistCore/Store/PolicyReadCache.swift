import Synchronization

/// Policies read by id, answered again without the database while the store's stamp for their
/// account is unchanged (`ChangeStamps`) and this node has not written since: a GET is then
/// one dictionary lookup. A write through this store makes every entry stale before it starts
/// and again once it ends, so a read that raced it is not kept; with the stamp, what another
/// node or process writes is seen as soon as the store can tell (at once on SQLite, when the
/// notification arrives on PostgreSQL). Missing policies are not kept.
public struct PolicyReadCache: WrappingPolicyStore {
    public let store: any PolicyStore
    private let stamps: any ChangeStamps
    private let entries = StampedCache<Key, AllowPolicy, Version>()
    private let writes = WriteCount()

    private struct Key: Hashable, Sendable {
        let account: AccountID
        let id: PolicyID
    }

    /// The account's stamp and this node's writes so far, both read before the database is.
    private struct Version: Equatable, Sendable {
        let stamp: ChangeStamp
        let writes: UInt64
    }

    public init(store: any PolicyStore, stamps: any ChangeStamps) {
        self.store = store
        self.stamps = stamps
    }

    public func policy(account: AccountID, id: PolicyID) async throws -> AllowPolicy? {
        guard let stamp = stamps.policiesStamp(account: account) else { return try await store.policy(account: account, id: id) }
        let key = Key(account: account, id: id), version = Version(stamp: stamp, writes: writes.value)
        if let policy = entries.value(for: key, at: version) { return policy }
        guard let policy = try await store.policy(account: account, id: id) else { return nil }
        entries.remember(policy, for: key, at: version)
        return policy
    }

    public func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        writes.add()
        defer { writes.add() }
        return try await store.write(account: account, request: request)
    }

    private final class WriteCount: Sendable {
        private let count = Atomic<UInt64>(0)

        var value: UInt64 { count.load(ordering: .acquiring) }

        func add() { count.add(1, ordering: .releasing) }
    }
}
