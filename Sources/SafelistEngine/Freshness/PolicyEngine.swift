import CAllocator
import SafelistCore
import Synchronization

/// Evaluates messages against each account's allow policies. Accounts load on first use from
/// the change feed and then follow it: a write on this node is applied before the write is
/// acknowledged (`refresh`), writes on other nodes within a second (`follow`). An account not
/// evaluated for `EngineOptions.idleEviction` is dropped (it loads again on its next use), and
/// an account without policies is never kept, so memory follows the accounts in use.
public final class PolicyEngine: Sendable {
    private let feed: any PolicyChangeFeed
    private let options: EngineOptions
    private let shards: CompiledShards
    private let metrics = EngineMetrics()
    private let published = Mutex<[AccountID: Published]>([:])
    private let matchers = Mutex<[AccountID: AccountMatcher]>([:])

    private struct Published {
        var snapshot: MatcherSnapshot
        var lastUse: ContinuousClock.Instant
    }

    /// `cache` keeps compiled regex databases across restarts and nodes; without one every
    /// load compiles.
    public init(feed: any PolicyChangeFeed, options: EngineOptions = .init(), cache: (any CompiledRegexCache)? = nil) {
        self.feed = feed
        self.options = options
        shards = CompiledShards(cache: cache, options: options)
    }

    /// The account's compiled policies as of now. Lock-free of rebuilds: a published snapshot
    /// is returned at once; only an account's first use waits for its load.
    public func snapshot(for account: AccountID) async throws -> MatcherSnapshot {
        if let found = publishedSnapshot(for: account) { return found }
        let matcher = matcher(for: account)
        let snapshot = try await matcher.current()
        // An account never written costs nothing: nothing of it is kept.
        if snapshot.generation == 0 { forget(account, matcher) }
        return snapshot
    }

    /// The account's snapshot if it is loaded, without waiting for anything: a caller with a
    /// deadline evaluates a loaded account at once and keeps its deadline for a load.
    public func publishedSnapshot(for account: AccountID) -> MatcherSnapshot? {
        let now = ContinuousClock.now
        return published.withLock { published -> MatcherSnapshot? in
            published[account]?.lastUse = now
            return published[account]?.snapshot
        }
    }

    public func evaluate(account: AccountID, messages: [PreparedMessage]) async throws -> [Evaluation] {
        let snapshot = try await snapshot(for: account)
        return counted(snapshot.evaluate(messages))
    }

    /// Counts evaluations made from a snapshot directly (the mail listeners'), as `evaluate`
    /// counts its own, for the metrics.
    @discardableResult
    public func counted(_ evaluations: [Evaluation]) -> [Evaluation] {
        metrics.evaluations.increment(by: evaluations.count)
        let matches = evaluations.reduce(0) { $0 + $1.matches.count }
        if matches > 0 { metrics.matches.increment(by: matches) }
        return evaluations
    }

    /// Accounts whose compiled policies are held now.
    public var loadedAccounts: Int { published.withLock { $0.count } }

    /// Called after this node committed a write to the account: the write is applied before the
    /// caller acknowledges it. If the store cannot be read now, the account's snapshot is
    /// withdrawn, so the next evaluation catches up (or fails) rather than answer from stale data.
    /// `committed`: the write as the store answered it, which spares reading it back when the
    /// writes before it are known too.
    public func refresh(account: AccountID, through generation: Int64? = nil, committed: PolicyChanges? = nil) async throws {
        guard let matcher = matchers.withLock({ $0[account] }) else { return }
        do {
            try await matcher.catchUp(through: generation, committed: committed)
        } catch {
            _ = published.withLock { $0.removeValue(forKey: account) }
            throw error
        }
    }

    /// Follows writes made through other nodes until cancelled: change signals for speed, and
    /// every `pollInterval` a poll of the loaded accounts' generations, for signals lost on a
    /// reconnect, and the eviction of idle accounts.
    public func follow() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await signal in self.feed.changeSignals() {
                    switch signal {
                    case .account(let account, let generation):
                        // Up to the signalled generation: a write of this node's own is then
                        // applied from the store's answer, not read back.
                        if let current = self.published.withLock({ $0[account]?.snapshot.generation }), current < generation {
                            try? await self.refresh(account: account, through: generation)
                        }
                    case .everything:
                        await self.catchUpAll()
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.options.pollInterval)
                    self.evictIdle()
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

    /// Asks only about the accounts held: an idle node with nothing loaded asks nothing.
    private func catchUpStale() async {
        let loaded = published.withLock { $0.mapValues(\.snapshot.generation) }
        guard !loaded.isEmpty, let generations = try? await feed.generations(of: Array(loaded.keys)) else { return }
        for (account, generation) in loaded where generations[account, default: 0] > generation {
            try? await refresh(account: account)
        }
    }

    private func evictIdle() {
        let cutoff = ContinuousClock.now - options.idleEviction
        let idle = published.withLock { published in published.filter { $0.value.lastUse < cutoff }.map(\.key) }
        for account in idle {
            if let matcher = matchers.withLock({ $0[account] }) { forget(account, matcher) }
        }
        // glibc keeps freed memory in its arenas: without a trim, a server that once loaded many
        // accounts stays that large after dropping them.
        if !idle.isEmpty { safelist_release_free_memory() }
    }

    /// Drops an account's matcher and snapshot, unless another matcher replaced it meanwhile.
    private func forget(_ account: AccountID, _ matcher: AccountMatcher) {
        matchers.withLock { matchers in
            guard matchers[account] === matcher else { return }
            matchers[account] = nil
            _ = published.withLock { $0.removeValue(forKey: account) }
        }
    }

    /// Merges of a delta into its base completed for the account (for tests and the benchmark).
    public func mergesCompleted(account: AccountID) async -> Int {
        guard let matcher = matchers.withLock({ $0[account] }) else { return 0 }
        return await matcher.mergesCompleted
    }

    /// Whether the account's tail is being folded into its delta, or its delta merged into its
    /// base, in the background (for tests, which wait for the layers to settle).
    public func buildsPending(account: AccountID) async -> Bool {
        guard let matcher = matchers.withLock({ $0[account] }) else { return false }
        return await matcher.buildsPending
    }

    /// Regex shards compiled and expressions in them, and shards read back from the cache
    /// instead, since the engine started (for tests, the benchmark and metrics).
    public var regexCompilation: (compiledShards: Int, compiledExpressions: Int, readBackShards: Int) {
        (
            shards.compiledShards.load(ordering: .relaxed), shards.compiledExpressions.load(ordering: .relaxed),
            shards.readBackShards.load(ordering: .relaxed)
        )
    }

    /// Waits until compiled databases are in the cache and costly patterns found.
    public func compilationSettled() async {
        await shards.settled()
    }

    private func matcher(for account: AccountID) -> AccountMatcher {
        matchers.withLock { matchers in
            if let matcher = matchers[account] { return matcher }
            let matcher = AccountMatcher(account: account, feed: feed, options: options, shards: shards, metrics: metrics) {
                [weak self] from, snapshot in
                // A matcher that was forgotten (evicted, or an account found empty) may still
                // finish a merge: it publishes nothing.
                guard let self else { return }
                self.matchers.withLock { matchers in
                    guard matchers[account] === from else { return }
                    self.published.withLock { $0[account] = Published(snapshot: snapshot, lastUse: .now) }
                }
            }
            matchers[account] = matcher
            return matcher
        }
    }
}
