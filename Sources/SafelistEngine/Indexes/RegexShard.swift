import SafelistCore
import SafelistRegex

/// One compiled Vectorscan database holding the expressions of one `ShardPlan`. Shards are the
/// unit of compilation: a build reuses every shard whose plan it has already (`ShardPlan.plan`)
/// and compiles only the others.
final class RegexShard: Sendable {
    let group: RegexGroup
    let database: RegexDatabase
    /// Per expression id: the policy's index in the segment that holds the shard.
    let members: [UInt32]
    /// Per expression id: what identifies the expression across rebuilds.
    let keys: [PatternKey]
    /// Per expression id, its anchored literal; empty when the expressions have none. Read once,
    /// when the plan is made, and kept with the shard through merges.
    let literals: [AnchoredLiteral]
    let digest: ShardDigest

    init(group: RegexGroup, database: RegexDatabase, members: [UInt32], keys: [PatternKey], literals: [AnchoredLiteral], digest: ShardDigest) {
        self.group = group
        self.database = database
        self.members = members
        self.keys = keys
        self.literals = literals
        self.digest = digest
    }

    /// Every expression has an anchored literal, so the shard need only scan subjects the
    /// segment's `RegexFilter` lets through; the others' shards scan every subject.
    var filtered: Bool { !literals.isEmpty }

    /// The same compiled database, its members at their indices in another segment.
    func remapped(_ members: [UInt32]) -> RegexShard {
        RegexShard(group: group, database: database, members: members, keys: keys, literals: literals, digest: digest)
    }

    /// A shard compiled for this build: what a cache keeps, and how long it took.
    struct Compiled: Sendable {
        let digest: ShardDigest
        let serialized: [UInt8]
        /// CPU time of the compilation.
        let duration: Duration
        let patterns: [String]
    }

    /// Realizes plans, on all cores: a plan whose database `cached` has is read back, the
    /// others compiled. A pattern Vectorscan refuses (possible only for rows written before the
    /// write path compiled them) is left out and reported, and the rest still compile.
    static func build(_ plans: [ShardPlan], cached: [ShardDigest: [UInt8]], refused: inout [PatternKey]) -> (
        shards: [RegexShard], compiled: [Compiled]
    ) {
        let results = ParallelMap.run(plans) { plan in realize(plan, cached: cached[plan.digest]) }
        var shards: [RegexShard] = [], compiled: [Compiled] = []
        for result in results {
            if let shard = result.shard { shards.append(shard) }
            if let fresh = result.compiled { compiled.append(fresh) }
            refused += result.dropped
        }
        return (shards, compiled)
    }

    private static func realize(_ plan: ShardPlan, cached: [UInt8]?) -> (shard: RegexShard?, compiled: Compiled?, dropped: [PatternKey]) {
        if let cached, let database = try? RegexDatabase(serialized: cached, count: plan.entries.count) {
            return (shard(plan, database), nil, [])
        }
        var plan = plan
        var dropped: [PatternKey] = []
        while !plan.entries.isEmpty {
            let start = ThreadCPUTime.now()
            do {
                let database = try RegexDatabase(expressions: plan.entries.map { WholeSubjectRegex.expression($0.key.pattern) })
                let compiled = database.serialized().map {
                    Compiled(digest: plan.digest, serialized: $0, duration: ThreadCPUTime.now() - start, patterns: plan.entries.map(\.key.pattern))
                }
                return (shard(plan, database), compiled, dropped)
            } catch {
                guard plan.entries.indices.contains(error.expressionIndex) else { return (nil, nil, dropped + plan.entries.map(\.key)) }
                var entries = plan.entries
                dropped.append(entries.remove(at: error.expressionIndex).key)
                plan = ShardPlan(group: plan.group, entries: entries)
            }
        }
        return (nil, nil, dropped)
    }

    private static func shard(_ plan: ShardPlan, _ database: RegexDatabase) -> RegexShard {
        RegexShard(
            group: plan.group, database: database, members: plan.entries.map(\.index), keys: plan.entries.map(\.key),
            literals: plan.entries.compactMap(\.literal), digest: plan.digest)
    }
}

/// A policy's pattern as the engine identifies it: the same policy with the same pattern
/// compiles to the same expression, so shards are kept across rebuilds by these keys.
struct PatternKey: Hashable, Sendable {
    let id: PolicyID
    let pattern: String
}
