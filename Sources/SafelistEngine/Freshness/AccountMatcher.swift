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
    /// Policies written since the base was built, in two tiers so that a write costs in
    /// proportion to itself: the tail holds the latest writes (at most `tailLimit`) and is
    /// rebuilt on every write; when it fills, it is folded into the delta, which is rebuilt
    /// then, once per `tailLimit` writes. Each entry is the policy's current form, or nil once
    /// deleted, with the generation that wrote it; the tail's entry for a policy supersedes the delta's.
    private var recent: Written = [:]
    private var latest: Written = [:]
    private var delta = SnapshotLayer.empty
    private var tail = SnapshotLayer.empty
    private var merging = false
    private var lastOperation: Task<Void, Never>?
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
        let previous = lastOperation
        let task = Task<T, Error> {
            await previous?.value
            return try await operation()
        }
        lastOperation = Task { _ = try? await task.value }
        return task
    }

    private func loadOrCatchUp(loadIfNeeded: Bool) async throws -> MatcherSnapshot? {
        guard let snapshot else {
            guard loadIfNeeded else { return nil }
            let changes = try await feed.changes(account: account, after: 0)
            let base = await shards.segment(changes.upserted.map(EnginePolicy.init), layout: .base, candidates: [])
            let loaded = MatcherSnapshot(base: base, newer: [delta, tail], generation: changes.generation, suffixes: options.publicSuffixes)
            install(loaded)
            return loaded
        }
        let changes = try await feed.changes(account: account, after: snapshot.generation)
        guard changes.generation > snapshot.generation else { return snapshot }
        for policy in changes.upserted {
            let engine = EnginePolicy(policy)
            latest[engine.id] = (engine, changes.generation)
        }
        for id in changes.deleted {
            latest[id] = (nil, changes.generation)
        }
        if latest.count > options.tailLimit {
            recent.merge(latest) { _, newer in newer }
            latest = [:]
            delta = await layer(recent, reusing: delta.segment.allShards + tail.segment.allShards)
            tail = .empty
        } else {
            tail = await layer(latest, reusing: tail.segment.allShards)
        }
        let next = MatcherSnapshot(base: snapshot.base, newer: [delta, tail], generation: changes.generation, suffixes: options.publicSuffixes)
        install(next)
        startMergeIfDue()
        return next
    }

    private func install(_ next: MatcherSnapshot) {
        snapshot = next
        publish(self, next)
    }

    /// A tier's layer, rebuilt whole from its entries; the regex shards of `candidates` are
    /// reused, so only the expressions not compiled before are.
    private func layer(_ entries: Written, reusing candidates: [RegexShard]) async -> SnapshotLayer {
        var live: [EnginePolicy] = []
        var order: [(generation: Int64, id: PolicyID, index: Int)] = []
        for entry in entries.values {
            guard let policy = entry.policy else { continue }
            order.append((entry.generation, policy.id, live.count))
            live.append(policy)
        }
        // Sorted as small keys, then gathered: sorting the policies themselves moved their
        // strings around, a tenth of a write's time with a full delta.
        order.sort { $0.generation != $1.generation ? $0.generation < $1.generation : $0.id < $1.id }
        live = order.map { live[$0.index] }
        let segment = live.isEmpty ? Segment.empty : await shards.segment(live, layout: .delta, candidates: candidates)
        return SnapshotLayer(segment: segment, written: Set(entries.keys))
    }

    private func startMergeIfDue() {
        guard !merging, let snapshot,
            recent.count + latest.count > options.deltaLimit
                || delta.segment.allShards.count + tail.segment.allShards.count > options.deltaShardLimit
        else { return }
        merging = true
        let captured = recent.merging(latest) { _, newer in newer }
        let generation = snapshot.generation
        let base = snapshot.base
        let candidates = base.allShards + delta.segment.allShards + tail.segment.allShards
        let shards = shards
        Task {
            var policies = base.policies.filter { captured[$0.id] == nil }
            policies += captured.values.compactMap(\.policy).sorted { $0.id < $1.id }
            let merged = await shards.segment(policies, layout: .base, candidates: candidates)
            try? await self.serialized { await self.finishMerge(merged, through: generation) }
        }
    }

    /// Installs a merged base built from the snapshot at `generation`; what was written after
    /// that generation stays in the delta.
    private func finishMerge(_ base: Segment, through generation: Int64) async {
        recent = recent.filter { $0.value.generation > generation }
        latest = latest.filter { $0.value.generation > generation }
        delta = await layer(recent, reusing: delta.segment.allShards)
        tail = await layer(latest, reusing: tail.segment.allShards)
        install(
            MatcherSnapshot(
                base: base, newer: [delta, tail], generation: snapshot?.generation ?? generation, suffixes: options.publicSuffixes))
        merging = false
        mergesCompleted += 1
        startMergeIfDue()
    }
}

/// Policies written since a base, by id: the current form (nil once deleted) and the generation.
private typealias Written = [PolicyID: (policy: EnginePolicy?, generation: Int64)]
