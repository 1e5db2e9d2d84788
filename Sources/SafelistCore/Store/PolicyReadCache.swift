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
    private let entries = Entries()

    public init(store: any PolicyStore, stamps: any ChangeStamps) {
        self.store = store
        self.stamps = stamps
    }

    public func policy(account: AccountID, id: PolicyID) async throws -> AllowPolicy? {
        // Both read before the database is, so a change that lands meanwhile is seen next time.
        guard let stamp = stamps.policiesStamp(account: account) else { return try await store.policy(account: account, id: id) }
        let writes = entries.writes
        if let policy = entries.policy(account: account, id: id, stamp: stamp, writes: writes) { return policy }
        guard let policy = try await store.policy(account: account, id: id) else { return nil }
        entries.remember(policy, account: account, stamp: stamp, writes: writes)
        return policy
    }

    public func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        entries.wrote()
        defer { entries.wrote() }
        return try await store.write(account: account, request: request)
    }

    private final class Entries: Sendable {
        /// Past this many entries the cache starts again empty.
        static let capacity = 10_000

        private struct Key: Hashable {
            let account: AccountID
            let id: PolicyID
        }

        private struct Entry {
            let policy: AllowPolicy
            let stamp: ChangeStamp
            let writes: UInt64
        }

        private let entries = Mutex<[Key: Entry]>([:])
        private let writeCount = Atomic<UInt64>(0)

        var writes: UInt64 { writeCount.load(ordering: .acquiring) }

        func wrote() {
            writeCount.add(1, ordering: .releasing)
        }

        func policy(account: AccountID, id: PolicyID, stamp: ChangeStamp, writes: UInt64) -> AllowPolicy? {
            entries.withLock { entries in
                let key = Key(account: account, id: id)
                guard let entry = entries[key] else { return nil }
                guard entry.stamp == stamp, entry.writes == writes else {
                    entries[key] = nil
                    return nil
                }
                return entry.policy
            }
        }

        func remember(_ policy: AllowPolicy, account: AccountID, stamp: ChangeStamp, writes: UInt64) {
            entries.withLock { entries in
                if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
                entries[Key(account: account, id: policy.id)] = Entry(policy: policy, stamp: stamp, writes: writes)
            }
        }
    }
}
