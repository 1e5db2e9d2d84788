import Crypto
import SafelistCore
import SafelistRegex
import Synchronization

/// What the engine remembers of compiling, across accounts and (through a `CompiledRegexCache`)
/// restarts and nodes: compiled databases by digest, and which patterns are costly to compile.
final class CompiledShards: Sendable {
    private let cache: (any CompiledRegexCache)?
    private let options: EngineOptions
    private let costly = Mutex(Set<String>())
    private let pending = Mutex<[Int: Task<Void, Never>]>([:])
    private let nextTask = Atomic<Int>(0)
    /// Shards and expressions compiled, and shards read back from the cache, so far.
    let compiledShards = Atomic<Int>(0)
    let compiledExpressions = Atomic<Int>(0)
    let readBackShards = Atomic<Int>(0)

    init(cache: (any CompiledRegexCache)?, options: EngineOptions) {
        self.cache = cache
        self.options = options
    }

    /// Builds a segment: plans its shards, reads back the databases the cache has, compiles the
    /// rest off Swift's cooperative pool, then keeps what it compiled and looks for costly
    /// patterns in slow shards (in the background: the segment is not held for that).
    static let inlineBuildLimit = 512

    func segment(_ policies: [EnginePolicy], layout: Layout, candidates: [RegexShard]) async -> Segment {
        let draft = SegmentDraft(policies: policies)
        let shardLayout: ShardPlan.Layout
        switch layout {
        case .delta: shardLayout = .delta(shardSize: options.shardSize)
        case .base: shardLayout = .canonical(bucketSize: options.bucketSize, heavy: await costlyPatterns(in: draft))
        }
        let (reused, plans) = ShardPlan.plan(draft.wanted, layout: shardLayout, candidates: candidates)
        let cached = await databases(for: plans)
        let build: @Sendable () -> (Segment, [RegexShard.Compiled]) = {
            var refused: [PatternKey] = []
            let (built, compiled) = RegexShard.build(plans, cached: cached, refused: &refused)
            return (Segment(draft, shards: reused + built, refused: refused), compiled)
        }
        // A small layer with nothing to compile (a tail of literal writes: tables of a few
        // hundred entries, tens of microseconds) is built where it is asked for; the hop to the
        // build queue and back cost more than the build.
        let inline = plans.isEmpty && policies.count <= Self.inlineBuildLimit
        let (segment, compiled) = inline ? build() : await BuildQueue.run(build)
        compiledShards.add(compiled.count, ordering: .relaxed)
        compiledExpressions.add(compiled.reduce(0) { $0 + $1.patterns.count }, ordering: .relaxed)
        readBackShards.add(plans.count { cached[$0.digest] != nil }, ordering: .relaxed)
        if !compiled.isEmpty {
            let id = nextTask.add(1, ordering: .relaxed).newValue
            let task = Task {
                await self.remember(compiled)
                _ = self.pending.withLock { $0.removeValue(forKey: id) }
            }
            pending.withLock { $0[id] = task }
        }
        return segment
    }

    /// Waits until what was compiled so far is in the cache and its costly patterns are known.
    func settled() async {
        while let task = pending.withLock({ $0.values.first }) { await task.value }
    }

    enum Layout { case base, delta }

    private func databases(for plans: [ShardPlan]) async -> [ShardDigest: [UInt8]] {
        guard let cache, !plans.isEmpty else { return [:] }
        let keys = Dictionary(plans.map { ("db:\($0.digest)", $0.digest) }, uniquingKeysWith: { first, _ in first })
        guard let found = try? await cache.compiledRegexes(Array(keys.keys)) else { return [:] }
        return Dictionary(found.compactMap { key, value in keys[key].map { ($0, value) } }, uniquingKeysWith: { first, _ in first })
    }

    /// The draft's patterns known to be costly: remembered here, or recorded in the cache by
    /// an earlier run or another node.
    private func costlyPatterns(in draft: SegmentDraft) async -> Set<String> {
        let patterns = Set(draft.wanted.flatMap { $0.keys.map(\.pattern) })
        guard !patterns.isEmpty else { return [] }
        if let cache {
            let keys = Dictionary(patterns.map { (Self.costlyKey($0), $0) }, uniquingKeysWith: { first, _ in first })
            if let found = try? await cache.compiledRegexes(Array(keys.keys)), !found.isEmpty {
                costly.withLock { $0.formUnion(found.keys.compactMap { keys[$0] }) }
            }
        }
        return costly.withLock { $0.intersection(patterns) }
    }

    /// Keeps compiled databases, and marks costly patterns: a shard of one pattern by its own
    /// time, a slow shard of several by timing each of its patterns alone. A costly pattern's
    /// next base puts it in a shard of its own; the database timed here is that shard's, kept
    /// under its digest, so that base (after a restart too) reads it back instead of compiling.
    private func remember(_ compiled: [RegexShard.Compiled]) async {
        var found: [String] = []
        var alone: [(key: String, serialized: [UInt8])] = []
        for shard in compiled where shard.duration >= (shard.patterns.count == 1 ? options.costlyCompile : options.slowShard) {
            if shard.patterns.count == 1 {
                found += shard.patterns
                continue
            }
            let limit = options.costlyCompile
            let timed = await BuildQueue.run {
                shard.patterns.compactMap { pattern -> (pattern: String, key: String, serialized: [UInt8]?)? in
                    let expression = WholeSubjectRegex.expression(pattern)
                    let start = ThreadCPUTime.now()
                    let database = try? RegexDatabase(expressions: [expression])
                    guard ThreadCPUTime.now() - start >= limit else { return nil }
                    return (pattern, "db:\(ShardDigest(expressions: [expression]))", database?.serialized())
                }
            }
            found += timed.map(\.pattern)
            alone += timed.compactMap { entry in entry.serialized.map { (entry.key, $0) } }
        }
        costly.withLock { $0.formUnion(found) }
        guard let cache else { return }
        try? await cache.storeCompiledRegexes(
            compiled.map { ("db:\($0.digest)", $0.serialized) } + alone + found.map { (Self.costlyKey($0), [1]) })
    }

    static func costlyKey(_ pattern: String) -> String {
        "costly:" + ShardDigest(bytes: Array(SHA256.hash(data: Array(pattern.utf8)))).description
    }
}
