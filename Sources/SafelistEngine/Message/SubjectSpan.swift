/// Where one subject's bytes lie in a chunk's buffer.
struct SubjectSpan {
    enum Kind: UInt8 { case sender, hostname, ip, recipient }
    /// The message's position in the batch.
    let message: Int32
    let kind: Kind
    /// Printable lowercase ASCII: the regex filter may rule it out (`RegexFilter`).
    let plain: Bool
    /// The sender index (envelope_from, header_from, reply_to…) or the recipient index.
    let index: Int32
    let start: Int
    let end: Int
    /// Where the domain starts (after the `@`); `start` for a host name.
    let domainStart: Int
    /// Where the offsets of the domain's dots start in the chunk's dot buffer, and how many.
    let firstDot: Int32
    let dotCount: Int32
    /// For a sender address: bit n is set when sender n (envelope_from, header_from, each
    /// reply_to) is this same address; 0 when it stands alone at an index past 63.
    var roles: UInt64
}

extension SubjectSpan {
    /// Calls `body` with each regex group whose expressions run on this subject, and where the
    /// text they run on starts: a sender's or recipient's whole address and its domain, the
    /// host name, the client IP.
    @inline(__always)
    func forEachRegexSubject(_ body: (RegexGroup, Int) -> Void) {
        switch kind {
        case .sender:
            body(.senderEmail, start)
            body(.senderDomain, domainStart)
        case .recipient:
            body(.recipientEmail, start)
            body(.recipientDomain, domainStart)
        case .hostname: body(.senderDomain, start)
        case .ip: body(.senderIP, start)
        }
    }
}

extension SubjectSpan {
    /// This span of a message's layout, for message `message` whose bytes and dots a chunk's
    /// buffers hold from `bytes` and `dots` on.
    @inline(__always)
    func placed(message: Int32, bytes: Int, dots: Int32) -> SubjectSpan {
        SubjectSpan(
            message: message, kind: kind, plain: plain, index: index, start: start + bytes, end: end + bytes,
            domainStart: domainStart + bytes, firstDot: firstDot + dots, dotCount: dotCount, roles: roles)
    }
}
