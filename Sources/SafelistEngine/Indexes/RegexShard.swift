import SafelistCore
import SafelistRegex

/// One compiled Vectorscan database holding up to `shardSize` expressions of one group. Shards
/// are the unit of recompilation: a write recompiles the shards it touched, never the others.
final class RegexShard: Sendable {
    let group: RegexGroup
    let database: RegexDatabase
    /// Per expression id: the policy's index in the segment that holds the shard.
    let members: [UInt32]
    /// Per expression id: what identifies the expression across rebuilds.
    let keys: [PatternKey]
    /// Per expression id, its anchored literal; empty when the expressions have none. Read once,
    /// when the shard compiles, and kept with it through merges.
    let literals: [AnchoredLiteral]

    init(group: RegexGroup, database: RegexDatabase, members: [UInt32], keys: [PatternKey], literals: [AnchoredLiteral]) {
        self.group = group
        self.database = database
        self.members = members
        self.keys = keys
        self.literals = literals
    }

    /// Every expression has an anchored literal, so the shard need only scan subjects the
    /// segment's `RegexFilter` lets through; the others' shards scan every subject.
    var filtered: Bool { !literals.isEmpty }

    /// The same compiled database, its members at their indices in another segment.
    func remapped(_ members: [UInt32]) -> RegexShard {
        RegexShard(group: group, database: database, members: members, keys: keys, literals: literals)
    }

    /// An expression to compile, with its anchored literal if it has one.
    private struct Entry: Sendable {
        let index: UInt32
        let key: PatternKey
        let literal: AnchoredLiteral?
    }

    /// Compiles `entries` into shards. A pattern Vectorscan refuses (possible only for rows
    /// written before the validator compiled them) is left out and reported, and the rest still
    /// compile; the write path refuses such patterns, so this is a safety net.
    /// Expressions with an anchored literal and those without compile into separate shards.
    static func compile(
        _ entries: [(index: UInt32, key: PatternKey)], group: RegexGroup, shardSize: Int,
        refused: inout [PatternKey]
    ) -> [RegexShard] {
        let read = entries.map { Entry(index: $0.index, key: $0.key, literal: AnchoredLiteral.of($0.key.pattern)) }
        var chunks: [[Entry]] = []
        for filtered in [true, false] {
            let part = read.filter { ($0.literal != nil) == filtered }
            for start in stride(from: 0, to: part.count, by: shardSize) {
                chunks.append(Array(part[start..<min(start + shardSize, part.count)]))
            }
        }
        let results = ParallelMap.run(chunks) { chunk in compileDroppingRefused(chunk, group: group) }
        var shards: [RegexShard] = []
        for (shard, dropped) in results {
            if let shard { shards.append(shard) }
            refused += dropped
        }
        return shards
    }

    private static func compileDroppingRefused(_ chunk: [Entry], group: RegexGroup) -> (RegexShard?, [PatternKey]) {
        var entries = chunk
        var dropped: [PatternKey] = []
        while !entries.isEmpty {
            do {
                let database = try RegexDatabase(expressions: entries.map { WholeSubjectRegex.expression($0.key.pattern) })
                return (
                    RegexShard(
                        group: group, database: database, members: entries.map(\.index), keys: entries.map(\.key),
                        literals: entries.compactMap(\.literal)), dropped
                )
            } catch {
                guard entries.indices.contains(error.expressionIndex) else { return (nil, dropped + entries.map(\.key)) }
                dropped.append(entries.remove(at: error.expressionIndex).key)
            }
        }
        return (nil, dropped)
    }
}

/// A policy's pattern as the engine identifies it: the same policy with the same pattern
/// compiles to the same expression, so shards are kept across rebuilds by these keys.
struct PatternKey: Hashable, Sendable {
    let id: PolicyID
    let pattern: String
}
