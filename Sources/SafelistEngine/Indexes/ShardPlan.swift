import Crypto
import SafelistCore
import SafelistRegex

/// The expressions one compiled shard holds, in order, and what identifies that list wherever
/// it was compiled: a SHA-256 of the expressions (a database's match ids are positions, so the
/// same texts in the same order compile to the same database, whatever policies they belong to).
struct ShardPlan: Sendable {
    let group: RegexGroup
    let entries: [Entry]
    let digest: ShardDigest

    struct Entry: Sendable {
        /// The policy's position in the segment being built.
        let index: UInt32
        let key: PatternKey
        let literal: AnchoredLiteral?
    }

    init(group: RegexGroup, entries: [Entry]) {
        self.group = group
        self.entries = entries
        digest = ShardDigest(expressions: entries.map { WholeSubjectRegex.expression($0.key.pattern) })
    }

    /// How a segment's regexes are grouped into shards. A base segment's are canonical: split
    /// into buckets by a stable hash of the policy id, so that one write changes one bucket and
    /// a merge compiles only the buckets it changed; a pattern known to be costly (`heavy`) is
    /// a shard of its own, never compiled again because a neighbour changed. A delta's regexes,
    /// the few written since the base, are what the previous delta's shards do not cover.
    enum Layout: Sendable {
        case canonical(bucketSize: Int, heavy: Set<String>)
        case delta(shardSize: Int)
    }

    /// Plans the shards of `wanted` (per group, each regex's segment position), reusing what
    /// `candidates` already compiled: a canonical plan whose digest a candidate has, or (delta)
    /// a candidate whose every key is still wanted.
    static func plan(
        _ wanted: [[PatternKey: UInt32]], layout: Layout, candidates: [RegexShard]
    ) -> (reused: [RegexShard], plans: [ShardPlan]) {
        var wanted = wanted
        var reused: [RegexShard] = []
        var plans: [ShardPlan] = []
        if case .delta = layout {
            for candidate in candidates {
                let group = candidate.group.rawValue
                let members = candidate.keys.compactMap { wanted[group][$0] }
                guard members.count == candidate.keys.count else { continue }
                reused.append(candidate.remapped(members))
                for key in candidate.keys { wanted[group][key] = nil }
            }
        }
        let byDigest = Dictionary(candidates.map { ($0.digest, $0) }, uniquingKeysWith: { first, _ in first })
        for group in RegexGroup.allCases where !wanted[group.rawValue].isEmpty {
            let entries = wanted[group.rawValue].map { Entry(index: $0.value, key: $0.key, literal: AnchoredLiteral.of($0.key.pattern)) }
            // Expressions with an anchored literal and those without are scanned differently
            // (`RegexFilter`), so they never share a shard.
            for filtered in [true, false] {
                let part = entries.filter { ($0.literal != nil) == filtered }
                guard !part.isEmpty else { continue }
                for plan in split(part, group: group, layout: layout) {
                    if case .canonical = layout, let shard = byDigest[plan.digest], shard.group == group {
                        reused.append(shard.remapped(plan.entries.map(\.index)))
                    } else {
                        plans.append(plan)
                    }
                }
            }
        }
        return (reused, plans)
    }

    private static func split(_ entries: [Entry], group: RegexGroup, layout: Layout) -> [ShardPlan] {
        switch layout {
        case .delta(let shardSize):
            let ordered = entries.sorted { $0.index < $1.index }
            return stride(from: 0, to: ordered.count, by: shardSize).map {
                ShardPlan(group: group, entries: Array(ordered[$0..<min($0 + shardSize, ordered.count)]))
            }
        case .canonical(let bucketSize, let heavy):
            var plans: [ShardPlan] = []
            var light: [Entry] = []
            for entry in entries {
                if heavy.contains(entry.key.pattern) {
                    plans.append(ShardPlan(group: group, entries: [entry]))
                } else {
                    light.append(entry)
                }
            }
            var buckets = 1
            while buckets * bucketSize < light.count { buckets <<= 1 }
            var split = [[Entry]](repeating: [], count: buckets)
            for entry in light { split[Int(truncatingIfNeeded: entry.key.id.bucketHash) & (buckets - 1)].append(entry) }
            for bucket in split where !bucket.isEmpty {
                plans.append(ShardPlan(group: group, entries: bucket.sorted { $0.key < $1.key }))
            }
            return plans
        }
    }
}

/// A SHA-256 of a shard's expressions, the flags they compile with and the Vectorscan that
/// compiles them: the key of a compiled database in `CompiledRegexCache`.
public struct ShardDigest: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    init(expressions: [String]) {
        var hasher = SHA256()
        hasher.update(data: Array("safelist-shard-v1\u{0}\(WholeSubjectRegex.compilerVersion)\u{0}".utf8))
        for expression in expressions {
            let utf8 = Array(expression.utf8)
            withUnsafeBytes(of: UInt32(utf8.count)) { hasher.update(bufferPointer: $0) }
            hasher.update(data: utf8)
        }
        bytes = Array(hasher.finalize())
    }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
}

extension PatternKey: Comparable {
    static func < (lhs: PatternKey, rhs: PatternKey) -> Bool {
        lhs.id != rhs.id ? lhs.id < rhs.id : lhs.pattern < rhs.pattern
    }
}

extension PolicyID {
    /// All sixteen bytes mixed (SplitMix64's finalizer): the same on every node and after every
    /// restart, and even across buckets whichever bits of the id are random. New ids are time
    /// ordered (`PolicyID.timeOrdered`), so their first bytes are the same for a millisecond
    /// and would put a burst of writes in one bucket.
    var bucketHash: UInt64 {
        var x = withUnsafeBytes(of: uuid.uuid) { bytes in
            bytes.loadUnaligned(as: UInt64.self) ^ bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self).byteSwapped
        }
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
}
