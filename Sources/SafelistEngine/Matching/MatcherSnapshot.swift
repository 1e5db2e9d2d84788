import SafelistCore

/// One account's policies at one generation, compiled: what every evaluation reads. Immutable,
/// so evaluations never wait for a rebuild; a write publishes a new snapshot that shares the
/// large base segment with the old one and differs only in the small delta segment.
public final class MatcherSnapshot: Sendable {
    let base: Segment
    let delta: Segment
    /// Policies written since `base` was built (changed or deleted): their base entries are stale.
    let superseded: Set<PolicyID>
    /// The account's generation this snapshot reflects.
    public let generation: Int64
    /// What sender verification aligns domains with.
    let suffixes: PublicSuffixList

    init(base: Segment, delta: Segment, superseded: Set<PolicyID>, generation: Int64, suffixes: PublicSuffixList) {
        self.base = base
        self.delta = delta
        self.superseded = superseded
        self.generation = generation
        self.suffixes = suffixes
    }

    static let empty = MatcherSnapshot(base: .empty, delta: .empty, superseded: [], generation: 0, suffixes: PublicSuffixList(text: ""))

    public var policyCount: Int { base.policies.count - superseded.count + delta.policies.count }
    public var regexShardCount: Int { base.allShards.count + delta.allShards.count }
    /// Stored patterns the engine cannot run (rows written before the engine validated them).
    public var refusedPatterns: [String] { (base.refused + delta.refused).map(\.pattern) }

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

    private func segment(_ role: SegmentRole) -> Segment {
        role == .base ? base : delta
    }

    /// Every hit of both segments, bar the base's policies written since.
    private func collect(_ messages: UnsafeBufferPointer<PreparedMessage>) -> [Hit] {
        var hits: [Hit] = []
        let capacity = MatchWork.capacity(for: messages, chunkSize: Segment.chunkSize)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity.bytes + SubjectLayout.padding) { bytes in
            withUnsafeTemporaryAllocation(of: SubjectSpan.self, capacity: max(capacity.spans, 1)) { spans in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(capacity.dots, 1)) { dots in
                    var work = MatchWork(bytes: bytes, spans: spans, dots: dots)
                    base.collect(messages, segment: .base, into: &hits, work: &work)
                    if !superseded.isEmpty, !hits.isEmpty {
                        hits.removeAll { superseded.contains(base.policies[Int($0.policy)].id) }
                    }
                    if !delta.isEmpty { delta.collect(messages, segment: .delta, into: &hits, work: &work) }
                }
            }
        }
        // Matched policies lie far apart in a large array: all their loads start here, rather
        // than one at a time as the answers are built.
        for hit in hits { segment(hit.segment).prefetchPolicy(hit.policy) }
        return hits
    }

    /// One message's evaluation from its hits. The message is read through a pointer, never
    /// copied: most have no match at all, and their answer reads nothing else of them.
    private func evaluation(of prepared: UnsafePointer<PreparedMessage>, hits: UnsafeBufferPointer<Hit>) -> Evaluation {
        var matches: [PolicyMatch] = []
        if !hits.isEmpty {
            matches.reserveCapacity(hits.count)
            for hit in hits {
                matches.append(PolicyMatch(policy: segment(hit.segment).policies[Int(hit.policy)], role: hit.role, in: prepared, suffixes: suffixes))
            }
            if matches.count > 1 { matches.sort(by: PolicyMatch.reportOrder) }
        }
        let disposition = prepared.pointee.disposition
        // Per-recipient verdicts exist only for a message that carried a verdict.
        return Evaluation(matches: matches, disposition: disposition, recipientCount: disposition == nil ? 0 : Int(prepared.pointee.recipientCount))
    }
}
