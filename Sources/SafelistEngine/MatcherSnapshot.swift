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

    public func evaluate(_ message: MailMessage) -> Evaluation {
        var hits: [Hit] = []
        base.collect(message, segment: 0, into: &hits)
        if !superseded.isEmpty, !hits.isEmpty {
            hits.removeAll { superseded.contains(base.policies[Int($0.policy)].uuid) }
        }
        if !delta.isEmpty { delta.collect(message, segment: 1, into: &hits) }
        guard !hits.isEmpty else { return Evaluation(message: message, matches: []) }
        var matches = hits.map { hit in
            let policy = (hit.segment == 0 ? base : delta).policies[Int(hit.policy)]
            return PolicyMatch(policy: policy, role: hit.role, message: message)
        }
        matches.sort { ($0.role.order, $0.policy.pattern, $0.policy.uuid.uuidString) < ($1.role.order, $1.policy.pattern, $1.policy.uuid.uuidString) }
        return Evaluation(message: message, matches: matches)
    }
}
