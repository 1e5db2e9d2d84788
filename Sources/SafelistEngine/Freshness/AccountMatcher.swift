import SafelistCore

/// Keeps one account's snapshot current. Operations run one at a time (a load, each catch-up, a
/// merge's completion), so changes apply in generation order; evaluations never come here once
/// a snapshot is published.
actor AccountMatcher {
    private let account: AccountID
    private let feed: any PolicyChangeFeed
    private let options: EngineOptions
    private let shards: CompiledShards
    private let publish: @Sendable (AccountMatcher, MatcherSnapshot) -> Void

    private var snapshot: MatcherSnapshot?
    /// Every policy written since the base was built: its current form, or nil once deleted,
    /// with the generation that wrote it.
    private var recent: [PolicyID: (policy: EnginePolicy?, generation: Int64)] = [:]
    private var merging = false
    private var tail: Task<Void, Never>?
    private var queuedCatchUp: Task<MatcherSnapshot?, Error>?
    private(set) var mergesCompleted = 0

    init(
        account: AccountID, feed: any PolicyChangeFeed, options: EngineOptions, shards: CompiledShards,
        publish: @escaping @Sendable (AccountMatcher, MatcherSnapshot) -> Void
    ) {
        self.account = account
        self.feed = feed
        self.options = options
        self.shards = shards
        self.publish = publish
    }

    /// The current snapshot, loading the account or catching up first.
    func current() async throws -> MatcherSnapshot {
        let snapshot = try await serialized { try await self.loadOrCatchUp(loadIfNeeded: true) }
        return snapshot ?? .empty
    }

    /// Applies what the store committed since the snapshot's generation; nothing if not loaded.
    /// A caller that finds a catch-up queued and not yet started shares it: that one reads every
    /// change committed before it starts, the caller's included. Writes committed together
    /// (`GroupCommit`) then cost one catch-up, not one each, each reading the feed again.
    func catchUp() async throws {
        if let queued = queuedCatchUp {
            _ = try await queued.value
            return
        }
        let task = serializedTask {
            await self.catchUpStarted()
            return try await self.loadOrCatchUp(loadIfNeeded: false)
        }
        queuedCatchUp = task
        _ = try await task.value
    }

    private func catchUpStarted() {
        queuedCatchUp = nil
    }

    /// Runs `operation` after every operation queued before it.
    private func serialized<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await serializedTask(operation).value
    }

    private func serializedTask<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) -> Task<T, Error> {
        let previous = tail
        let task = Task<T, Error> {
            await previous?.value
            return try await operation()
        }
        tail = Task { _ = try? await task.value }
        return task
    }

    private func loadOrCatchUp(loadIfNeeded: Bool) async throws -> MatcherSnapshot? {
        guard let snapshot else {
            guard loadIfNeeded else { return nil }
            let changes = try await feed.changes(account: account, after: 0)
            let base = await shards.segment(changes.upserted.map(EnginePolicy.init), layout: .base, candidates: [])
            let loaded = MatcherSnapshot(base: base, delta: .empty, superseded: [], generation: changes.generation, suffixes: options.publicSuffixes)
            install(loaded)
            return loaded
        }
        let changes = try await feed.changes(account: account, after: snapshot.generation)
        guard changes.generation > snapshot.generation else { return snapshot }
        for policy in changes.upserted {
            let engine = EnginePolicy(policy)
            recent[engine.id] = (engine, changes.generation)
        }
        for id in changes.deleted {
            recent[id] = (nil, changes.generation)
        }
        let delta = await buildDelta(reusing: snapshot.delta)
        let next = MatcherSnapshot(
            base: snapshot.base, delta: delta, superseded: Set(recent.keys), generation: changes.generation, suffixes: options.publicSuffixes)
        install(next)
        startMergeIfDue()
        return next
    }

    private func install(_ next: MatcherSnapshot) {
        snapshot = next
        publish(self, next)
    }

    /// The delta holds only the recent policies, so it is rebuilt whole; its regex shards are
    /// reused, so only the expressions this write brought are compiled.
    private func buildDelta(reusing previous: Segment) async -> Segment {
        var live: [EnginePolicy] = []
        var order: [(generation: Int64, id: PolicyID, index: Int)] = []
        for entry in recent.values {
            guard let policy = entry.policy else { continue }
            order.append((entry.generation, policy.id, live.count))
            live.append(policy)
        }
        // Sorted as small keys, then gathered: sorting the policies themselves moved their
        // strings around, a tenth of a write's time with a full delta.
        order.sort { $0.generation != $1.generation ? $0.generation < $1.generation : $0.id < $1.id }
        live = order.map { live[$0.index] }
        guard !live.isEmpty else { return .empty }
        return await shards.segment(live, layout: .delta, candidates: previous.allShards)
    }

    private func startMergeIfDue() {
        guard !merging, let snapshot,
            snapshot.delta.policies.count > options.deltaLimit
                || snapshot.delta.allShards.count > options.deltaShardLimit
                || (snapshot.superseded.count > options.deltaLimit)
        else { return }
        merging = true
        let captured = recent
        let generation = snapshot.generation
        let base = snapshot.base, delta = snapshot.delta
        let shards = shards
        Task {
            var policies = base.policies.filter { captured[$0.id] == nil }
            policies += captured.values.compactMap(\.policy).sorted { $0.id < $1.id }
            let merged = await shards.segment(policies, layout: .base, candidates: base.allShards + delta.allShards)
            try? await self.serialized { await self.finishMerge(merged, through: generation) }
        }
    }

    /// Installs a merged base built from the snapshot at `generation`; what was written after
    /// that generation stays in the delta.
    private func finishMerge(_ base: Segment, through generation: Int64) async {
        recent = recent.filter { $0.value.generation > generation }
        let previous = snapshot?.delta ?? .empty
        let delta = await buildDelta(reusing: previous)
        install(
            MatcherSnapshot(
                base: base, delta: delta, superseded: Set(recent.keys), generation: snapshot?.generation ?? generation,
                suffixes: options.publicSuffixes))
        merging = false
        mergesCompleted += 1
        startMergeIfDue()
    }
}
