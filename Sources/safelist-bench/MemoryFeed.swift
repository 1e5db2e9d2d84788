import SafelistCore
import Synchronization

/// The benchmark's change feed: the account's policies in memory, so that the engine's build
/// is timed without a million-row read from a store in front of it.
final class MemoryFeed: PolicyChangeFeed {
    private let policies: Mutex<[AllowPolicy]>
    private let account: AccountID

    init(account: AccountID, policies: [AllowPolicy]) {
        self.account = account
        self.policies = Mutex(policies)
    }

    func generations() async throws -> [AccountID: Int64] { [account: 1] }

    func changes(account: AccountID, after generation: Int64) async throws -> PolicyChanges {
        guard account == self.account, generation < 1 else { return PolicyChanges(generation: generation, upserted: [], deleted: []) }
        return PolicyChanges(generation: 1, upserted: policies.withLock { $0 }, deleted: [])
    }

    func changeSignals() -> AsyncStream<ChangeSignal> { AsyncStream { $0.finish() } }

    /// Lets the policies go once the engine has built from them, so memory counts the engine only.
    func release() { policies.withLock { $0 = [] } }
}
