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

    func generations(of accounts: [AccountID]) async throws -> [AccountID: Int64] { accounts.contains(account) ? [account: 1] : [:] }

    /// Fresh copies, strings included, as a store's read would allocate them: the engine's
    /// memory is then what it keeps of them, not storage it shares with the generator.
    func changes(account: AccountID, after generation: Int64) async throws -> PolicyChanges {
        guard account == self.account, generation < 1 else { return PolicyChanges(generation: generation, upserted: [], deleted: []) }
        let copies = policies.withLock { $0 }.map { policy in
            var copy = policy
            copy.pattern = String(decoding: Array(policy.pattern.utf8), as: UTF8.self)
            copy.matchKey = policy.matchKey == policy.pattern ? copy.pattern : String(decoding: Array(policy.matchKey.utf8), as: UTF8.self)
            return copy
        }
        return PolicyChanges(generation: 1, upserted: copies, deleted: [])
    }

    func changeSignals() -> AsyncStream<ChangeSignal> { AsyncStream { $0.finish() } }
}
