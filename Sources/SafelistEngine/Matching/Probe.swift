/// One literal lookup: a key's place in the buffer and its hash.
struct Probe {
    let span: Int32
    let start: Int32
    let isDomain: Bool
    let hash: UInt64
    /// Its table's filter line, requested when the lookup was planned.
    let line: UnsafePointer<UInt64>
    /// The home slot's content, read ahead of the lookup.
    var first: UInt64 = 0
}

/// A subject a regex group's shards scan: its span, and where the text they run on starts.
struct RegexSubject {
    let span: Int32
    let start: Int32
}
