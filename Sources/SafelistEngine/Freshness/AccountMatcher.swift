import SafelistCore

/// Keeps one account's snapshot current. Operations run one at a time (a load, each catch-up, a
/// merge's completion), so changes apply in generation order; evaluations never come here once
/// a snapshot is published.
actor AccountMatcher {
    private let account: AccountID
    private let feed: any PolicyChangeFeed
    private let options: EngineOptions
    private let shards: CompiledShards
    private let metrics: EngineMetrics
    private let publish: @Sendable (AccountMatcher, MatcherSnapshot) -> Void

    private var snapshot: MatcherSnapshot?
    /// Policies written since the base was built, in three tiers so that a write costs in
    /// proportion to itself: the fresh layer holds the latest writes (at most `freshLimit`, and
    /// `freshRegexLimit` regexes) and is rebuilt on every catch-up; when it fills, it joins the
    /// tail, which is rebuilt then; when the tail fills (`EngineOptions.foldThreshold`), it is
    /// folded into the delta in the background, as the delta is merged into the base. Each entry is the
    /// policy's current form, or nil once deleted, with the generation that wrote it; a newer
    /// tier's entry for a policy supersedes an older one's.
    private var recent: Written = [:]
    private var latest: Written = [:]
    /// The writes since the tail was last rebuilt, in a third layer of their own
    /// (`EngineOptions.freshLimit`): a catch-up rebuilds only this one.
    private var newest: Written = [:]
    private var delta = SnapshotLayer.empty
    private var tail = SnapshotLayer.empty
    private var fresh = SnapshotLayer.empty
    private var merging = false
    private var folding = false
    var buildsPending: Bool { merging || folding }
    private var lastOperation: Task<Void, Never>?
    private var queuedCatchUp: Task<MatcherSnapshot?, Error>?
    /// Writes this node committed to the account, by generation, as the store answered them.
    /// A catch-up that finds every generation after its snapshot's here applies them without
    /// reading the feed back; a gap (another node's write, a caller that never came) means a
    /// read as before.
    private var committed: [Int64: PolicyChanges] = [:]
    /// What the callers of the queued catch-up need: the highest generation one asked for, or
    /// (`wantsLatest`) everything the feed has, which only a read can tell.
    private var wanted: Int64 = 0
    private var wantsLatest = false
    private(set) var mergesCompleted = 0

    init(
        account: AccountID, feed: any PolicyChangeFeed, options: EngineOptions, shards: CompiledShards, metrics: EngineMetrics,
        publish: @escaping @Sendable (AccountMatcher, MatcherSnapshot) -> Void
    ) {
        self.metrics = metrics
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
    /// `generation` is the write the caller needs applied, `changes` that write as the store
    /// answered it: kept, so that the catch-up can apply this node's writes without reading
    /// them back. A caller that names no generation gets a read of the feed.
    func catchUp(through generation: Int64? = nil, committed changes: PolicyChanges? = nil) async throws {
        if let changes, let snapshot, changes.generation > snapshot.generation, committed.count < 4096 {
            committed[changes.generation] = changes
        }
        if let generation, let snapshot, snapshot.generation >= generation { return }
        if let generation { wanted = max(wanted, generation) } else { wantsLatest = true }
        if let queued = queuedCatchUp {
            _ = try await queued.value
            return
        }
        let task = serializedTask {
            let goal = await self.catchUpStarted()
            return try await self.loadOrCatchUp(loadIfNeeded: false, reaching: goal)
        }
        queuedCatchUp = task
        _ = try await task.value
    }

    /// The generation the starting catch-up must reach, nil for a read of the feed; callers
    /// that come later queue the next one.
    private func catchUpStarted() -> Int64? {
        queuedCatchUp = nil
        defer {
            wanted = 0
            wantsLatest = false
        }
        return wantsLatest ? nil : wanted
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

    /// `goal`: a catch-up may apply this node's own writes without reading the feed when they
    /// reach this generation; nil reads the feed.
    private func loadOrCatchUp(loadIfNeeded: Bool, reaching goal: Int64? = nil) async throws -> MatcherSnapshot? {
        guard let snapshot else {
            guard loadIfNeeded else { return nil }
            let changes = try await feed.changes(account: account, after: 0)
            let start = ContinuousClock.now
            let base = await shards.segment(changes.upserted.map(EnginePolicy.init), layout: .base, candidates: [])
            metrics.built("load", policies: changes.upserted.count, since: start)
            let loaded = MatcherSnapshot(base: base, newer: newer, generation: changes.generation, suffixes: options.publicSuffixes)
            install(loaded)
            return loaded
        }
        let applied = try await appliedChanges(after: snapshot.generation, reaching: goal)
        committed = committed.filter { $0.key > (applied.last?.generation ?? snapshot.generation) }
        guard let generation = applied.last?.generation, generation > snapshot.generation else { return snapshot }
        for changes in applied {
            for policy in changes.upserted {
                let engine = EnginePolicy(policy)
                newest[engine.id] = WrittenPolicy(policy: engine, generation: changes.generation)
            }
            for id in changes.deleted {
                newest[id] = WrittenPolicy(policy: nil, generation: changes.generation)
            }
        }
        let start = ContinuousClock.now
        if newest.count <= options.freshLimit, newest.values.count(where: { $0.policy?.isRegex == true }) <= options.freshRegexLimit {
            fresh = await layer(newest, reusing: fresh.segment.allShards)
            metrics.built("fresh", policies: newest.count, since: start)
        } else {
            latest.merge(newest) { _, newer in newer }
            newest = [:]
            tail = await layer(latest, reusing: tail.segment.allShards + fresh.segment.allShards)
            fresh = .empty
            metrics.built("tail", policies: latest.count, since: start)
        }
        let next = MatcherSnapshot(base: snapshot.base, newer: newer, generation: generation, suffixes: options.publicSuffixes)
        install(next)
        startFoldIfDue()
        startMergeIfDue()
        return next
    }

    /// The writes after `generation`: this node's own, in order, when they run without a gap
    /// to `goal`; else what the feed says, in one piece.
    private func appliedChanges(after generation: Int64, reaching goal: Int64?) async throws -> [PolicyChanges] {
        var known: [PolicyChanges] = []
        var next = generation + 1
        while let changes = committed[next] {
            known.append(changes)
            next += 1
        }
        if let goal, !known.isEmpty, next - 1 >= goal { return known }
        return [try await feed.changes(account: account, after: generation)]
    }

    /// The layers over the base, oldest first.
    private var newer: [SnapshotLayer] { [delta, tail, fresh] }

    private func install(_ next: MatcherSnapshot) {
        snapshot = next
        publish(self, next)
    }

    /// A tier's layer, rebuilt whole from its entries; the regex shards of `candidates` are
    /// reused, so only the expressions not compiled before are.
    private func layer(_ entries: Written, reusing candidates: [RegexShard]) async -> SnapshotLayer {
        SnapshotLayer(segment: await Self.segment(entries, shards: shards, reusing: candidates), written: Set(entries.keys))
    }

    private static func segment(_ entries: Written, shards: CompiledShards, reusing candidates: [RegexShard]) async -> Segment {
        let live = ordered(entries)
        return live.isEmpty ? Segment.empty : await shards.segment(live, layout: .delta, candidates: candidates)
    }

    /// The live policies of `entries` by (generation, id). Each policy is copied out of the
    /// dictionary once, into a staging buffer; the sort moves small keys, and the policies are
    /// then moved, not copied, into place. Sorting the policies themselves moved their strings
    /// around (a tenth of a write's time with a full delta), and every further copy is two or
    /// three reference counts a policy on the fold's whole delta (docs/benchmarks.md, "Layers
    /// built with one copy", "Layers read in place, a fresh layer of 128").
    private static func ordered(_ entries: Written) -> [EnginePolicy] {
        let staged = UnsafeMutableBufferPointer<EnginePolicy>.allocate(capacity: entries.count)
        defer { staged.deallocate() }
        var generations: [Int64] = [], ids: [PolicyID] = []
        generations.reserveCapacity(entries.count)
        ids.reserveCapacity(entries.count)
        // Read through `values`, which yields each entry in place: iterating the dictionary
        // copied every entry before this copied its policy.
        let values = entries.values
        var index = values.startIndex
        while index != values.endIndex {
            if let policy = values[index].policy {
                staged.initializeElement(at: ids.count, to: policy)
                generations.append(values[index].generation)
                ids.append(entries.keys[index])
            }
            values.formIndex(after: &index)
        }
        let order = sortedSlots(generations: generations, ids: ids)
        return [EnginePolicy](unsafeUninitializedCapacity: order.count) { buffer, initialized in
            for (position, slot) in order.enumerated() {
                buffer.initializeElement(at: position, to: staged.moveElement(from: slot))
            }
            initialized = order.count
        }
    }

    /// The slots of `generations` and `ids` in (generation, id) order. Sorted as integers, each
    /// a generation's offset above the least and a slot in one word, then each run of one
    /// generation (a batch's policies; a lone write's is one) by id: a comparison closure over
    /// (generation, id, slot) triples was a seventh of the engine's samples in a phase of creates
    /// (docs/benchmarks.md, "A layer's policies sorted as integers").
    static func sortedSlots(generations: [Int64], ids: [PolicyID]) -> [Int] {
        guard let least = generations.min(), let greatest = generations.max() else { return [] }
        let slotBits: UInt64 = 32
        guard greatest &- least < 1 << 31, ids.count < 1 << slotBits else {
            return ids.indices.sorted { generations[$0] != generations[$1] ? generations[$0] < generations[$1] : ids[$0] < ids[$1] }
        }
        var keys = generations.enumerated().map { UInt64($0.element - least) << slotBits | UInt64($0.offset) }
        keys.sort()
        let slotMask: UInt64 = 1 << slotBits - 1
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count, keys[end] >> slotBits == keys[start] >> slotBits { end += 1 }
            if end - start > 1 { keys[start..<end].sort { ids[Int($0 & slotMask)] < ids[Int($1 & slotMask)] } }
            start = end
        }
        return keys.map { Int($0 & slotMask) }
    }

    /// Folds the tail into the delta in the background once the tail passes its limit. The
    /// delta is the largest layer a write touches (up to a quarter of the base); rebuilt inside
    /// a catch-up, it held every write waiting for that catch-up for the whole rebuild (5 to
    /// 10 ms at 10,000 policies, measured). Writes meanwhile keep going to the fresh layer and
    /// the tail.
    private func startFoldIfDue() {
        guard !folding, snapshot != nil, latest.count > options.foldThreshold(delta: recent.count) else { return }
        folding = true
        let captured = recent.merging(latest) { _, newer in newer }
        let candidates = delta.segment.allShards + tail.segment.allShards
        let merges = mergesCompleted
        inBackground("delta") { shards in
            await Self.segment(captured, shards: shards, reusing: candidates)
        } then: { segment in
            await self.finishFold(segment, captured, mergesBefore: merges)
        }
    }

    /// Builds a segment off the serialized path (`build`, timed as `layer`), then installs it
    /// with `install`, serialized.
    private func inBackground(
        _ layer: String, _ build: @escaping @Sendable (CompiledShards) async -> Segment,
        then install: @escaping @Sendable (Segment) async -> Void
    ) {
        let (shards, metrics, delay) = (shards, metrics, options.backgroundBuildDelay)
        Task {
            if delay > .zero { try? await Task.sleep(for: delay) }
            let start = ContinuousClock.now
            let segment = await build(shards)
            metrics.built(layer, policies: segment.policies.count, since: start)
            try? await self.serialized { await install(segment) }
        }
    }

    /// Installs a delta folded from `captured`. The tail keeps what was written after the
    /// capture. A merge that completed meanwhile put newer forms of some captured policies into
    /// the base and dropped them from the tiers: installed, the fold would put the older forms
    /// back over them. It is then dropped and tried again from the tiers as they are.
    private func finishFold(_ segment: Segment, _ captured: Written, mergesBefore: Int) async {
        folding = false
        guard mergesCompleted == mergesBefore, let snapshot else { return startFoldIfDue() }
        recent = captured
        latest = latest.filter { captured[$0.key]?.generation != $0.value.generation }
        delta = SnapshotLayer(segment: segment, written: Set(captured.keys))
        tail = await layer(latest, reusing: tail.segment.allShards)
        install(MatcherSnapshot(base: snapshot.base, newer: newer, generation: snapshot.generation, suffixes: options.publicSuffixes))
        startMergeIfDue()
        startFoldIfDue()
    }

    private func startMergeIfDue() {
        guard !merging, let snapshot,
            recent.count + latest.count + newest.count > max(options.deltaLimit, snapshot.base.policies.count / options.deltaBaseDivisor)
                || newer.reduce(0, { $0 + $1.segment.allShards.count }) > options.deltaShardLimit
        else { return }
        merging = true
        let captured = recent.merging(latest) { _, newer in newer }.merging(newest) { _, newer in newer }
        let generation = snapshot.generation
        let base = snapshot.base
        let candidates = base.allShards + newer.flatMap(\.segment.allShards)
        inBackground("base") { shards in
            var policies = base.policies.filter { captured[$0.id] == nil }
            policies += captured.values.compactMap(\.policy).sorted { $0.id < $1.id }
            return await shards.segment(policies, layout: .base, candidates: candidates)
        } then: { merged in
            await self.finishMerge(merged, through: generation)
        }
    }

    /// Installs a merged base built from the snapshot at `generation`; what was written after
    /// that generation stays in the delta.
    private func finishMerge(_ base: Segment, through generation: Int64) async {
        recent = recent.filter { $0.value.generation > generation }
        latest = latest.filter { $0.value.generation > generation }
        newest = newest.filter { $0.value.generation > generation }
        delta = await layer(recent, reusing: delta.segment.allShards)
        tail = await layer(latest, reusing: tail.segment.allShards)
        fresh = await layer(newest, reusing: fresh.segment.allShards)
        install(
            MatcherSnapshot(
                base: base, newer: newer, generation: snapshot?.generation ?? generation, suffixes: options.publicSuffixes))
        merging = false
        mergesCompleted += 1
        startMergeIfDue()
        startFoldIfDue()
    }
}

/// Policies written since a base, by id.
private typealias Written = [PolicyID: WrittenPolicy]

/// A policy's current form (nil once deleted) and the generation that wrote it. A struct, not a
/// tuple: a tuple's copies (a fold copies the whole delta's) went through the runtime's generic
/// tuple witness, field by field.
private struct WrittenPolicy {
    let policy: EnginePolicy?
    let generation: Int64
}
