/// The buffers one evaluation call matches with, reused from chunk to chunk and segment to
/// segment: a chunk's subjects laid out back to back, and where the dots of their domains are.
/// They are the caller's temporary (stack) allocations, sized by `capacity(for:chunkSize:)`:
/// a call of one message allocates nothing on the heap for its matching.
struct MatchWork {
    let bytes: UnsafeMutableBufferPointer<UInt8>
    let spans: UnsafeMutableBufferPointer<SubjectSpan>
    let dots: UnsafeMutableBufferPointer<Int32>
    private(set) var byteCount = 0
    private(set) var spanCount = 0
    private(set) var dotCount = 0
    /// The literal lookups the chunk can need: per address one, per domain one per dot.
    private(set) var probeBound = 0

    /// The bytes, subjects and dots of the largest chunk of `messages`.
    static func capacity(for messages: UnsafeBufferPointer<PreparedMessage>, chunkSize: Int) -> (bytes: Int, spans: Int, dots: Int) {
        var most = (bytes: 0, spans: 0, dots: 0)
        var chunk = (bytes: 0, spans: 0, dots: 0)
        for position in messages.indices {
            if position % chunkSize == 0 { chunk = (0, 0, 0) }
            let view = messages[position].view
            chunk.bytes += Int(view.byteCount)
            chunk.spans += Int(view.spanCount)
            chunk.dots += Int(view.dotCount)
            most = (max(most.bytes, chunk.bytes), max(most.spans, chunk.spans), max(most.dots, chunk.dots))
        }
        return most
    }

    /// `bytes` holds at least the chunk's bytes and `SubjectLayout.padding` more; `spans` and
    /// `dots` at least the chunk's.
    init(bytes: UnsafeMutableBufferPointer<UInt8>, spans: UnsafeMutableBufferPointer<SubjectSpan>, dots: UnsafeMutableBufferPointer<Int32>) {
        self.bytes = bytes
        self.spans = spans
        self.dots = dots
    }

    /// The chunk's subjects, their bytes and the offsets of their domains' dots.
    var laidOut: (spans: UnsafeBufferPointer<SubjectSpan>, bytes: UnsafeRawBufferPointer, dots: UnsafeBufferPointer<Int32>) {
        (
            UnsafeBufferPointer(rebasing: spans[..<spanCount]), UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<byteCount])),
            UnsafeBufferPointer(rebasing: dots[..<dotCount])
        )
    }

    /// Places the subjects of `messages[range]` back to back: each message's layout, moved.
    mutating func layout(_ messages: UnsafeBufferPointer<PreparedMessage>, _ range: Range<Int>) {
        byteCount = 0
        spanCount = 0
        dotCount = 0
        probeBound = 0
        // Buffers allocated for at least one element always have an address.
        guard let byteBase = bytes.baseAddress, let spanBase = spans.baseAddress, let dotBase = dots.baseAddress else { return }
        for position in range {
            let subjects = messages[position].view
            let source = subjects.bytes, sourceSpans = subjects.spans, sourceDots = subjects.dots
            // A word at a time: the layout's padding is read, and this buffer's padding written.
            if let from = source.baseAddress {
                let to = UnsafeMutableRawPointer(byteBase + byteCount)
                var offset = 0
                while offset < source.count {
                    to.storeBytes(
                        of: UnsafeRawPointer(from).loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
                    offset &+= 8
                }
            }
            let owner = Int32(truncatingIfNeeded: position)
            let dotStart = Int32(truncatingIfNeeded: dotCount)
            for offset in sourceSpans.indices {
                (spanBase + spanCount + offset).initialize(to: sourceSpans[offset].placed(message: owner, bytes: byteCount, dots: dotStart))
            }
            let shift = Int32(truncatingIfNeeded: byteCount)
            for offset in sourceDots.indices { (dotBase + dotCount + offset).initialize(to: sourceDots[offset] &+ shift) }
            spanCount += sourceSpans.count
            dotCount += sourceDots.count
            byteCount += source.count
            probeBound += subjects.probeBound
        }
    }
}
