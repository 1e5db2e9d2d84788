import SafelistCore
import Synchronization

/// Evaluates messages against each account's allow policies. Accounts load on first use from
/// the change feed and then follow it: a write on this node is applied before the write is
/// acknowledged (`refresh`), writes on other nodes within a second (`follow`).
public final class PolicyEngine: Sendable {
    private let feed: any PolicyChangeFeed
    private let options: EngineOptions
    private let published = Mutex<[AccountID: MatcherSnapshot]>([:])
    private let matchers = Mutex<[AccountID: AccountMatcher]>([:])

    public init(feed: any PolicyChangeFeed, options: EngineOptions = .init()) {
        self.feed = feed
        self.options = options
    }

    /// The account's compiled policies as of now. Lock-free of rebuilds: a published snapshot
    /// is returned at once; only an account's first use waits for its load.
    public func snapshot(for account: AccountID) async throws -> MatcherSnapshot {
        if let snapshot = published.withLock({ $0[account] }) { return snapshot }
        return try await matcher(for: account).current()
    }

    public func evaluate(account: AccountID, messages: [PreparedMessage]) async throws -> [Evaluation] {
        let snapshot = try await snapshot(for: account)
        return snapshot.evaluate(messages)
    }

    /// Called after this node committed a write to the account: the write is applied before the
    /// caller acknowledges it. If the store cannot be read now, the account's snapshot is
    /// withdrawn, so the next evaluation catches up (or fails) rather than answer from stale data.
    public func refresh(account: AccountID) async throws {
        guard let matcher = matchers.withLock({ $0[account] }) else { return }
        do {
            try await matcher.catchUp()
        } catch {
            _ = published.withLock { $0.removeValue(forKey: account) }
            throw error
        }
    }

    /// Follows writes made through other nodes until cancelled: change signals for speed, and a
    /// poll of the generations every `pollInterval` for signals lost on a reconnect.
    public func follow() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await signal in self.feed.changeSignals() {
                    switch signal {
                    case .account(let account, let generation):
                        if let current = self.published.withLock({ $0[account]?.generation }), current < generation {
                            try? await self.refresh(account: account)
                        }
                    case .everything:
                        await self.catchUpAll()
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.options.pollInterval)
                    await self.catchUpStale()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func catchUpAll() async {
        for account in matchers.withLock({ Array($0.keys) }) { try? await refresh(account: account) }
    }

    private func catchUpStale() async {
        // Nothing loaded, nothing to follow: no query every second on an idle node.
        guard !published.withLock({ $0.isEmpty }), let generations = try? await feed.generations() else { return }
        let behind = published.withLock { published in
            published.filter { generations[$0.key, default: 0] > $0.value.generation }.map(\.key)
        }
        for account in behind { try? await refresh(account: account) }
    }

    /// Merges of a delta into its base completed for the account (for tests and the benchmark).
    public func mergesCompleted(account: AccountID) async -> Int {
        guard let matcher = matchers.withLock({ $0[account] }) else { return 0 }
        return await matcher.mergesCompleted
    }

    private func matcher(for account: AccountID) -> AccountMatcher {
        matchers.withLock { matchers in
            if let matcher = matchers[account] { return matcher }
            let matcher = AccountMatcher(account: account, feed: feed, options: options) { [weak self] snapshot in
                self?.published.withLock { $0[account] = snapshot }
            }
            matchers[account] = matcher
            return matcher
        }
    }
}
