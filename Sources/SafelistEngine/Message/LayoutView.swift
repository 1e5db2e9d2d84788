import SafelistCore

/// Where a `SubjectLayout`'s parts lie in its one allocation: the client IP, the spans, the
/// dots, then the bytes and their padding. A copy sits in each `PreparedMessage` beside the
/// layout's reference, so that matching walks a batch's messages in order and goes straight to
/// each storage, without loading the layout object first (a cache miss of its own at a
/// hundred thousand messages). It points into memory that no one writes once the layout is
/// made, hence `@unchecked Sendable`.
struct LayoutView: @unchecked Sendable {
    let storage: UnsafeRawPointer
    let byteCount: UInt32
    let spanCount: UInt32
    let dotCount: UInt32

    /// Room for the client IP, in front of the spans.
    static let headerSize = (MemoryLayout<IPBlock?>.size + spanAlignment - 1) / spanAlignment * spanAlignment
    static let spanAlignment = max(MemoryLayout<SubjectSpan>.alignment, MemoryLayout<IPBlock?>.alignment)

    /// The bytes an allocation for these counts needs.
    static func size(spans: Int, dots: Int, bytes: Int) -> Int {
        headerSize + spans * MemoryLayout<SubjectSpan>.stride + dots * MemoryLayout<Int32>.stride + bytes + SubjectLayout.padding
    }

    private var dotOffset: Int { Self.headerSize + Int(spanCount) * MemoryLayout<SubjectSpan>.stride }
    private var byteOffset: Int { dotOffset + Int(dotCount) * MemoryLayout<Int32>.stride }

    var clientIP: IPBlock? { storage.load(as: IPBlock?.self) }

    var spans: UnsafeBufferPointer<SubjectSpan> {
        UnsafeBufferPointer(start: (storage + Self.headerSize).assumingMemoryBound(to: SubjectSpan.self), count: Int(spanCount))
    }

    var dots: UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(start: (storage + dotOffset).assumingMemoryBound(to: Int32.self), count: Int(dotCount))
    }

    /// The subjects' bytes; `SubjectLayout.padding` zero bytes follow them.
    var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: (storage + byteOffset).assumingMemoryBound(to: UInt8.self), count: Int(byteCount))
    }

    /// The literal lookups the subjects can need: per address one, per domain one per dot.
    var probeBound: Int { Int(spanCount) + Int(dotCount) }

    /// The span of the subject `role` names; nil for a subject the layout left out.
    func span(of role: SubjectRole) -> SubjectSpan? {
        let sender: Int
        switch role {
        case .clientIP: return spans.first { $0.kind == .ip }
        case .clientHostname: return spans.first { $0.kind == .hostname }
        case .recipient(let index): return spans.first { $0.kind == .recipient && $0.index == index }
        case .envelopeFrom: sender = 0
        case .headerFrom(let index): sender = MailMessage.senderIndex(headerFrom: index)
        case .replyTo(let index): sender = MailMessage.senderIndex(replyTo: index)
        }
        // A sender address that several roles share is one span with a bit for each.
        return spans.first { span in
            span.kind == .sender && (span.roles == 0 ? Int(span.index) == sender : sender < 64 && span.roles & (1 << UInt64(sender)) != 0)
        }
    }
}
