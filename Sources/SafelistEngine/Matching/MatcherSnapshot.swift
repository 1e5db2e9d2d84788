import SafelistCore

/// One account's policies at one generation, compiled: what every evaluation reads. Immutable,
/// so evaluations never wait for a rebuild; a write publishes a new snapshot that shares the
/// large base segment with the old one, and usually the delta too: only the small tail differs
/// (`AccountMatcher`).
public final class MatcherSnapshot: Sendable {
    /// The base, the delta and the tail (`AccountMatcher`); a later layer's policies supersede
    /// an earlier one's.
    let layers: [SnapshotLayer]
    /// The last layer whose hits a later layer can supersede.
    private let lastSuperseded: Int
    /// The account's generation this snapshot reflects.
    public let generation: Int64
    /// What sender verification aligns domains with.
    let suffixes: PublicSuffixList

    init(base: Segment, newer: [SnapshotLayer], generation: Int64, suffixes: PublicSuffixList) {
        layers = [SnapshotLayer(segment: base, written: [])] + newer
        lastSuperseded = (layers.lastIndex { !$0.written.isEmpty } ?? 0) - 1
        self.generation = generation
        self.suffixes = suffixes
    }

    static let empty = MatcherSnapshot(base: .empty, newer: [.empty, .empty, .empty], generation: 0, suffixes: PublicSuffixList(text: ""))

    var base: Segment { layers[0].segment }

    /// Policies in the base, the delta and the tail, superseded ones included: how a write was
    /// applied, for diagnostics and tests.
    public var layerSizes: [Int] { layers.map(\.segment.policies.count) }

    /// Live policies: each layer's, bar those a later layer wrote again or deleted. Walks the
    /// base when anything was written since it was built: for diagnostics, not for requests.
    public var policyCount: Int {
        var count = 0
        for (index, layer) in layers.enumerated() {
            let newer = layers[(index + 1)...]
            let policies = layer.segment.policies
            count += newer.isEmpty ? policies.count : policies.count { policy in !newer.contains { $0.written.contains(policy.id) } }
        }
        return count
    }
    public var regexShardCount: Int { layers.reduce(0) { $0 + $1.segment.allShards.count } }
    /// Stored patterns the engine cannot run (rows written before the engine validated them).
    public var refusedPatterns: [String] { layers.flatMap(\.segment.refused).map(\.pattern) }

    /// Evaluates one message.
    public func evaluate(_ message: PreparedMessage) -> Evaluation {
        withUnsafePointer(to: message) { pointer in
            let hits = collect(UnsafeBufferPointer(start: pointer, count: 1))
            return hits.withUnsafeBufferPointer { evaluation(of: pointer, hits: $0) }
        }
    }

    /// Evaluates a batch in one pass over each segment: cheaper a message than one call each,
    /// because the lookups of many messages overlap and each regex database stays in cache
    /// while it scans them all (see `Segment.collect`).
    public func evaluate(_ messages: [PreparedMessage]) -> [Evaluation] {
        messages.withUnsafeBufferPointer { messages in
            guard let first = messages.baseAddress else { return [] }
            var hits = collect(messages)
            hits.sort { $0.message < $1.message }
            var evaluations: [Evaluation] = []
            evaluations.reserveCapacity(messages.count)
            hits.withUnsafeBufferPointer { hits in
                var next = 0
                for position in messages.indices {
                    let start = next
                    while next < hits.count, hits[next].message == position { next += 1 }
                    evaluations.append(evaluation(of: first + position, hits: UnsafeBufferPointer(rebasing: hits[start..<next])))
                }
            }
            return evaluations
        }
    }

    /// Every hit of every layer, bar those of policies a later layer wrote again. Each chunk of
    /// messages is laid out once and matched against every layer in turn.
    private func collect(_ messages: UnsafeBufferPointer<PreparedMessage>) -> [Hit] {
        var hits: [Hit] = []
        let capacity = MatchWork.capacity(for: messages, chunkSize: Segment.chunkSize)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity.bytes + SubjectLayout.padding) { bytes in
            withUnsafeTemporaryAllocation(of: SubjectSpan.self, capacity: max(capacity.spans, 1)) { spans in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(capacity.dots, 1)) { dots in
                    var work = MatchWork(bytes: bytes, spans: spans, dots: dots)
                    var start = 0
                    while start < messages.count {
                        let chunk = start..<min(start + Segment.chunkSize, messages.count)
                        work.layout(messages, chunk)
                        for index in layers.indices {
                            let first = hits.count
                            layers[index].segment.collect(messages, chunk: chunk, laidOut: work, segment: UInt8(index), into: &hits)
                            if index <= lastSuperseded, hits.count > first { dropSuperseded(&hits, from: first, layer: index) }
                        }
                        start = chunk.upperBound
                    }
                }
            }
        }
        // Matched policies lie far apart in a large array, and a matched message's contents
        // are read for the first time: all their loads start here, rather than one at a time
        // as the answers are built.
        for hit in hits {
            layers[Int(hit.segment)].segment.prefetchPolicy(hit.policy)
            messages[Int(hit.message)].prefetchContents()
        }
        return hits
    }

    /// Removes the hits from `first` on (all of layer `layer`) whose policy a later layer wrote.
    private func dropSuperseded(_ hits: inout [Hit], from first: Int, layer: Int) {
        let policies = layers[layer].segment.policies
        let newer = layers[(layer + 1)...]
        var kept = first
        for position in first..<hits.count {
            let hit = hits[position]
            guard !newer.contains(where: { $0.written.contains(policies[Int(hit.policy)].id) }) else { continue }
            hits[kept] = hit
            kept += 1
        }
        hits.removeSubrange(kept...)
    }

    /// One message's evaluation from its hits. The message is read through a pointer, never
    /// copied: most have no match at all, and their answer reads nothing else of them.
    private func evaluation(of prepared: UnsafePointer<PreparedMessage>, hits: UnsafeBufferPointer<Hit>) -> Evaluation {
        var matches: [PolicyMatch] = []
        if !hits.isEmpty {
            matches.reserveCapacity(hits.count)
            for hit in hits {
                matches.append(
                    PolicyMatch(policy: layers[Int(hit.segment)].segment.policies[Int(hit.policy)], role: hit.role, in: prepared, suffixes: suffixes))
            }
            if matches.count > 1 { matches.sort(by: PolicyMatch.reportOrder) }
        }
        let disposition = prepared.pointee.disposition
        // Per-recipient verdicts exist only for a message that carried a verdict.
        return Evaluation(matches: matches, disposition: disposition, recipientCount: disposition == nil ? 0 : Int(prepared.pointee.recipientCount))
    }
}

/// One segment of a snapshot and the policies written in it, deleted ones included: an earlier
/// layer's entries for those are stale.
struct SnapshotLayer: Sendable {
    let segment: Segment
    let written: Set<PolicyID>
}

extension SnapshotLayer {
    static let empty = SnapshotLayer(segment: .empty, written: [])
}
