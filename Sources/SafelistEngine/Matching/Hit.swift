/// A policy of a segment that matched one subject of one message of a batch.
struct Hit {
    let message: Int32
    /// The snapshot's layer the policy is in (`MatcherSnapshot.layers`, the base first).
    let segment: UInt8
    let policy: UInt32
    let role: SubjectRole
}
