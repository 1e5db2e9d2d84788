import Foundation
import SafelistCore

/// One account's policies at one generation, compiled: what every evaluation reads. Immutable,
/// so evaluations never wait for a rebuild; a write publishes a new snapshot that shares the
/// large base segment with the old one and differs only in the small delta segment.
public final class MatcherSnapshot: Sendable {
    let base: Segment
    let delta: Segment
    /// Policies written since `base` was built (changed or deleted): their base entries are stale.
    let superseded: Set<UUID>
    /// The account's generation this snapshot reflects.
    public let generation: Int64

    init(base: Segment, delta: Segment, superseded: Set<UUID>, generation: Int64) {
        self.base = base
        self.delta = delta
        self.superseded = superseded
        self.generation = generation
    }

    static let empty = MatcherSnapshot(base: .empty, delta: .empty, superseded: [], generation: 0)

    public var policyCount: Int { base.policies.count - superseded.count + delta.policies.count }
    public var regexShardCount: Int { base.allShards.count + delta.allShards.count }
    /// Stored regexes Vectorscan refused to compile (rows written before the engine validated them).
    public var refusedPatterns: [String] { (base.refused + delta.refused).map(\.pattern) }

    /// `borrowing`: the pointer below is to a bitwise image of the caller's message, where a
    /// copy would retain every string it holds and release them again.
    public func evaluate(_ message: borrowing MailMessage) -> Evaluation {
        withUnsafePointer(to: message) { pointer in
            let hits = collect(UnsafeBufferPointer(start: pointer, count: 1))
            return hits.withUnsafeBufferPointer { evaluation(of: pointer, $0) }
        }
    }

    /// Evaluates a batch in one pass over each segment: cheaper a message than one call each,
    /// because the lookups of many messages overlap and each regex database stays in cache
    /// while it scans them all (see `Segment.collect`).
    public func evaluate(_ messages: [MailMessage]) -> [Evaluation] {
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
                    evaluations.append(evaluation(of: first + position, UnsafeBufferPointer(rebasing: hits[start..<next])))
                }
            }
            return evaluations
        }
    }

    /// Every hit of both segments, bar the base's policies written since.
    private func collect(_ messages: UnsafeBufferPointer<MailMessage>) -> [Hit] {
        var hits: [Hit] = []
        let capacity = MatchWork.capacity(for: messages, chunkSize: Segment.chunkSize)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity.bytes + SubjectLayout.padding) { bytes in
            withUnsafeTemporaryAllocation(of: SubjectSpan.self, capacity: max(capacity.spans, 1)) { spans in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(capacity.dots, 1)) { dots in
                    var work = MatchWork(bytes: bytes, spans: spans, dots: dots)
                    base.collect(messages, segment: 0, into: &hits, work: &work)
                    if !superseded.isEmpty, !hits.isEmpty {
                        hits.removeAll { superseded.contains(base.policies[Int($0.policy)].uuid) }
                    }
                    if !delta.isEmpty { delta.collect(messages, segment: 1, into: &hits, work: &work) }
                }
            }
        }
        // Matched policies lie far apart in a large array: all their loads start here, rather
        // than one at a time as the answers are built.
        for hit in hits { (hit.segment == 0 ? base : delta).prefetchPolicy(hit.policy) }
        return hits
    }

    /// One message's evaluation from its hits. The message is read through a pointer, never
    /// copied: most have no match at all, and their answer reads nothing else of them.
    private func evaluation(of message: UnsafePointer<MailMessage>, _ hits: UnsafeBufferPointer<Hit>) -> Evaluation {
        var matches: [PolicyMatch] = []
        if !hits.isEmpty {
            matches.reserveCapacity(hits.count)
            for hit in hits {
                matches.append(PolicyMatch(policy: (hit.segment == 0 ? base : delta).policies[Int(hit.policy)], role: hit.role, message: message))
            }
            if matches.count > 1 { matches.sort(by: PolicyMatch.reportOrder) }
        }
        let disposition = message.pointee.disposition
        // Per-recipient verdicts exist only for a message that carried a verdict.
        return Evaluation(matches: matches, disposition: disposition, recipientCount: disposition == nil ? 0 : message.pointee.recipients.count)
    }
}
