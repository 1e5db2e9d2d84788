import CPrefetch
import SafelistCore
import SafelistRegex

/// An immutable, compiled set of policies: literal tables and regex shards over one array of
/// policies. A matcher is a large base segment plus a small delta segment of recent writes.
final class Segment: Sendable {
    let policies: [EnginePolicy]
    let emails: ByteKeyTable
    let domains: ByteKeyTable
    let ips: PrefixTable
    /// Shards per `RegexGroup.rawValue`.
    let shards: [[RegexShard]]
    /// Per policy, what it grants: checked on every literal hit without copying the policy.
    let grants: [Grants]
    /// The shards flattened for scanning without reference counting: per group a range of
    /// `scanShards`, each naming its database and where its members start in `scanMembers`.
    let scanGroups: [Range<Int>]
    let scanShards: [(database: UnretainedDatabase, members: Int, filtered: Bool)]
    let scanMembers: [UInt32]
    /// Bit `group.rawValue` is set when the group has a filtered shard, or an unfiltered one.
    let filteredGroups: UInt8
    let unfilteredGroups: UInt8
    let scratch: ScratchPool
    /// What lets most subjects skip the filtered shards.
    let filter: RegexFilter
    /// Stored patterns the engine cannot run (rows older than the validator): regexes Vectorscan
    /// refused, IP patterns that do not parse. They match nothing.
    let refused: [PatternKey]

    var isEmpty: Bool { policies.isEmpty }
    var allShards: [RegexShard] { shards.flatMap { $0 } }

    static let empty = Segment(SegmentDraft(policies: []), shards: [], refused: [])

    /// The tables from the draft's literal keys, and the regex shards already reused or built
    /// for it (`ShardPlan`, `RegexShard.build`).
    init(_ draft: SegmentDraft, shards built: [RegexShard], refused: [PatternKey]) {
        policies = draft.policies
        emails = ByteKeyTable(draft.emailKeys)
        domains = ByteKeyTable(draft.domainKeys)
        ips = PrefixTable(draft.blocks)
        var shards = [[RegexShard]](repeating: [], count: RegexGroup.allCases.count)
        for shard in built { shards[shard.group.rawValue].append(shard) }
        self.shards = shards
        grants = policies.map(\.grants)
        var groups: [Range<Int>] = [], flat: [(database: UnretainedDatabase, members: Int, filtered: Bool)] = [], members: [UInt32] = []
        var literals: [(group: RegexGroup, literal: AnchoredLiteral)] = []
        var filteredGroups: UInt8 = 0, unfilteredGroups: UInt8 = 0
        for group in shards {
            let first = flat.count
            for shard in group {
                if shard.filtered { filteredGroups |= 1 << shard.group.rawValue } else { unfilteredGroups |= 1 << shard.group.rawValue }
                flat.append((shard.database.unretained, members.count, shard.filtered))
                literals += shard.literals.map { (shard.group, $0) }
                members += shard.members
            }
            groups.append(first..<flat.count)
        }
        scanGroups = groups
        filter = RegexFilter(literals)
        scanShards = flat
        scanMembers = members
        self.filteredGroups = filteredGroups
        self.unfilteredGroups = unfilteredGroups
        self.refused = Array(Set(draft.refused + refused))
        scratch = ScratchPool(databases: shards.flatMap { $0.map(\.database) })
    }
}

/// A segment's policies sorted into what each index is built from: literal keys for the
/// tables, and per regex group the patterns its shards must hold.
struct SegmentDraft: Sendable {
    let policies: [EnginePolicy]
    var emailKeys: [(key: String, value: UInt32)] = []
    var domainKeys: [(key: String, value: UInt32)] = []
    var blocks: [(block: IPBlock, value: UInt32)] = []
    var wanted = [[PatternKey: UInt32]](repeating: [:], count: RegexGroup.allCases.count)
    /// Stored patterns the engine cannot use.
    var refused: [PatternKey] = []

    init(policies: [EnginePolicy]) {
        self.policies = policies
        // Each policy read in place: `for policy in policies` copied every one (two strings
        // retained and released) and the switch over a tuple copied its key again, most of a
        // layer's reference counting (docs/benchmarks.md, "Layers read in place, a fresh layer of 128").
        policies.withUnsafeBufferPointer { policies in
            for offset in policies.indices {
                let index = UInt32(offset)
                switch policies[offset].key {
                case .text(let text) where policies[offset].isRegex:
                    for group in RegexGroup.groups(of: policies[offset]) {
                        wanted[group.rawValue][PatternKey(id: policies[offset].id, pattern: text)] = index
                    }
                case .text(let key) where policies[offset].type == .email: emailKeys.append((key, index))
                case .text(let key) where policies[offset].type == .domain: domainKeys.append((key, index))
                // IP policies grant only on the sender side, where the client address is.
                case .block(let block) where !policies[offset].grants.isDisjoint(with: .senderSide):
                    blocks.append((block, index))
                case .unusable:
                    refused.append(PatternKey(id: policies[offset].id, pattern: policies[offset].pattern))
                default:
                    continue
                }
            }
        }
    }
}

extension Segment {
    /// Starts loading policy `index`, which an answer is about to read.
    @inline(__always)
    func prefetchPolicy(_ index: UInt32) {
        policies.withUnsafeBufferPointer { policies in
            guard let base = policies.baseAddress, Int(index) < policies.count else { return }
            safelist_prefetch(base + Int(index))
        }
    }
}
