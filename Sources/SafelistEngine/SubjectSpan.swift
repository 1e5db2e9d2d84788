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
    /// For a sender address: bit n is set when sender n (envelope_from, header_from, each
    /// reply_to) is this same address; 0 when it stands alone at an index past 63.
    var roles: UInt64
}

extension SubjectSpan {
    /// Where the text a group's expressions run on starts: a sender's or recipient's whole
    /// address or its domain, the host name, the client IP; nil when the group does not apply.
    @inline(__always)
    func subjectStart(for group: RegexGroup) -> Int? {
        switch (group, kind) {
        case (.senderEmail, .sender), (.recipientEmail, .recipient), (.senderDomain, .hostname), (.senderIP, .ip): start
        case (.senderDomain, .sender), (.recipientDomain, .recipient): domainStart
        default: nil
        }
    }
}
