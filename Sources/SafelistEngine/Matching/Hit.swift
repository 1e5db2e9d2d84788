/// Which of a snapshot's two segments a hit is in.
enum SegmentRole: UInt8 {
    /// The large segment built at load and by merges.
    case base
    /// The small segment of policies written since the base was built.
    case delta
}

/// A policy of a segment that matched one subject of one message of a batch.
struct Hit {
    let message: Int32
    let segment: SegmentRole
    let policy: UInt32
    let role: SubjectRole
}
