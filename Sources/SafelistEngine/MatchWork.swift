/// The buffers one evaluation call matches with, reused from chunk to chunk and segment to
/// segment: a chunk's subjects laid out back to back, and where the dots of their domains are.
/// They are the caller's temporary (stack) allocations, sized by `capacity(for:chunkSize:)`:
/// a call of one message allocates nothing on the heap for its matching.
struct MatchWork {
    /// Subjects are scanned a word at a time, reading up to seven bytes past the last one.
    static let padding = 8

    let bytes: UnsafeMutableBufferPointer<UInt8>
    let spans: UnsafeMutableBufferPointer<SubjectSpan>
    let dots: UnsafeMutableBufferPointer<Int32>
    private(set) var byteCount = 0
    private(set) var spanCount = 0
    private(set) var dotCount = 0
    /// The literal lookups the chunk can need: per address one, per domain one per dot.
    private(set) var probeBound = 0

    /// The bytes and subjects of the largest chunk of `messages`.
    static func capacity(for messages: UnsafeBufferPointer<MailMessage>, chunkSize: Int) -> (bytes: Int, spans: Int) {
        var most = (bytes: 0, spans: 0)
        var chunk = (bytes: 0, spans: 0)
        guard let first = messages.baseAddress else { return most }
        for position in messages.indices {
            // Through a pointer: the fields are read in place, the message is never copied.
            let message = first + position
            if position % chunkSize == 0 { chunk = (0, 0) }
            message.pointee.forEachSubject { text, _, _, _ in
                chunk.bytes += text.utf8.count
                chunk.spans += 1
            }
            most = (max(most.bytes, chunk.bytes), max(most.spans, chunk.spans))
        }
        return most
    }

    /// `bytes` holds at least the chunk's bytes and `padding` more, `dots` one per byte.
    init(bytes: UnsafeMutableBufferPointer<UInt8>, spans: UnsafeMutableBufferPointer<SubjectSpan>, dots: UnsafeMutableBufferPointer<Int32>) {
        // The bytes past a subject are read and masked off; zeroed, they are never uninitialised.
        bytes.initialize(repeating: 0)
        self.bytes = bytes
        self.spans = spans
        self.dots = dots
    }

    /// The chunk's subjects, their bytes and the offsets of their domains' dots.
    var laidOut: (spans: UnsafeBufferPointer<SubjectSpan>, bytes: UnsafeRawBufferPointer, dots: UnsafeBufferPointer<Int32>) {
        (UnsafeBufferPointer(rebasing: spans[..<spanCount]), UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<byteCount])),
         UnsafeBufferPointer(rebasing: dots[..<dotCount]))
    }

    /// Lays out the subjects of `messages[range]`: each sender address once (envelope_from and
    /// header_from are often one address), the host name, the client IP's text, each recipient.
    mutating func layout(_ messages: UnsafeBufferPointer<MailMessage>, _ range: Range<Int>) {
        byteCount = 0
        spanCount = 0
        dotCount = 0
        probeBound = 0
        guard let first = messages.baseAddress else { return }
        for position in range {
            // Through a pointer: the fields are read in place, the message is never copied.
            let message = first + position
            let owner = Int32(position)
            let firstSender = spanCount
            message.pointee.forEachSubject { text, kind, index, domain in
                // Past the 64th sender, each address stands alone (roles 0).
                guard kind == .sender, index < 64 else { return add(text, kind, owner, index, domain: domain) }
                add(text, .sender, owner, index, domain: domain, roles: 1 << UInt64(index))
                // An address an earlier sender already is (header_from is often envelope_from)
                // is matched once: its role joins that span, its bytes are given back.
                let added = spans[spanCount - 1]
                if let earlier = (firstSender..<spanCount - 1).first(where: { sameBytes(spans[$0], added) }) {
                    spans[earlier].roles |= added.roles
                    spanCount -= 1
                    byteCount = added.start
                    dotCount = Int(added.firstDot)
                    probeBound -= 1 + Int(added.dotCount)
                }
            }
        }
    }

    private func sameBytes(_ one: SubjectSpan, _ other: SubjectSpan) -> Bool {
        let buffer = UnsafeRawBufferPointer(UnsafeBufferPointer(bytes))
        return one.end - one.start == other.end - other.start
            && ByteKeyTable.equal(buffer, at: one.start, UnsafeRawBufferPointer(rebasing: buffer[other.start..<other.end]))
    }

    private mutating func add(_ text: String, _ kind: SubjectSpan.Kind, _ message: Int32, _ index: Int, domain: Int, roles: UInt64 = 0) {
        // Buffers allocated for at least one element always have an address.
        guard let byteBase = bytes.baseAddress, let dotBase = dots.baseAddress else { return }
        let start = byteCount
        let count = text.utf8.count
        let target = UnsafeMutableBufferPointer(rebasing: bytes[start..<start + count])
        // Native strings hand over their bytes at once; others (bridged) are copied a byte at a time.
        let copied = text.utf8.withContiguousStorageIfAvailable { source in
            UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(source))
            return true
        }
        if copied == nil { _ = target.initialize(from: text.utf8) }
        byteCount += count
        let scan = SubjectScan.scan(UnsafeRawPointer(byteBase), start, start + count, domain: start + domain, dots: dotBase + dotCount)
        probeBound += 1 + scan.dotCount
        spans[spanCount] = SubjectSpan(message: message, kind: kind, plain: scan.plain, index: Int32(truncatingIfNeeded: index),
                                       start: start, end: start + count, domainStart: start + domain,
                                       firstDot: Int32(truncatingIfNeeded: dotCount), dotCount: Int32(truncatingIfNeeded: scan.dotCount),
                                       roles: roles)
        dotCount += scan.dotCount
        spanCount += 1
    }
}
