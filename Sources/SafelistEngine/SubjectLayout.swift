/// A message's subjects as matching reads them, laid out once, when the message is made: their
/// bytes back to back, a span for each (kind, where its domain starts, whether it is plain),
/// the offsets of its domains' dots, and which sender addresses are one address. An evaluation
/// copies a message's layout into its chunk's buffers in three moves. Walking the message's
/// strings instead, on every evaluation, cost a quarter of it: a retain and a release of each
/// string and of the message, and a copy and a word scan per subject.
final class SubjectLayout: Sendable {
    /// `SubjectScan` reads whole words: up to seven bytes past a subject's last.
    static let padding = 8

    /// The subjects' bytes, then `padding` zero bytes.
    let bytes: [UInt8]
    /// One per subject, for message 0, with offsets into `bytes` and `dots`.
    let spans: [SubjectSpan]
    let dots: [Int32]
    /// The literal lookups the subjects can need: per address one, per domain one per dot.
    let probeBound: Int

    var byteCount: Int { bytes.count - Self.padding }

    /// Lays out, in subject order: each sender address (envelope_from, header_from, each
    /// reply_to; their index counts them from 0), the host name, the client IP's text, each
    /// recipient (its index is its position).
    init(envelopeFrom: EmailSubject?, headerFrom: EmailSubject?, replyTo: [EmailSubject],
         clientHostname: String?, clientIPText: String?, recipients: [EmailSubject]) {
        var bytes: [UInt8] = []
        var spans: [SubjectSpan] = []
        // `domain` is where the domain starts in `text`: 0 for the host name, the end for the IP.
        func add(_ text: String, _ kind: SubjectSpan.Kind, _ index: Int, domain: Int) {
            // An address an earlier sender already is (header_from is often envelope_from) is
            // matched once: its role joins that span. Past the 64th sender, each stands alone.
            if kind == .sender, index < 64,
               let earlier = spans.firstIndex(where: { $0.kind == .sender && bytes[$0.start..<$0.end].elementsEqual(text.utf8) }) {
                spans[earlier].roles |= 1 << UInt64(index)
                return
            }
            let start = bytes.count
            bytes.append(contentsOf: text.utf8)
            spans.append(SubjectSpan(message: 0, kind: kind, plain: false, index: Int32(truncatingIfNeeded: index),
                                     start: start, end: bytes.count, domainStart: start + domain, firstDot: 0, dotCount: 0,
                                     roles: kind == .sender && index < 64 ? 1 << UInt64(index) : 0))
        }
        if let envelopeFrom { add(envelopeFrom.address, .sender, 0, domain: envelopeFrom.domainOffset) }
        if let headerFrom { add(headerFrom.address, .sender, 1, domain: headerFrom.domainOffset) }
        for (index, address) in replyTo.enumerated() { add(address.address, .sender, index + 2, domain: address.domainOffset) }
        if let clientHostname { add(clientHostname, .hostname, 0, domain: 0) }
        if let clientIPText { add(clientIPText, .ip, 0, domain: clientIPText.utf8.count) }
        for (index, address) in recipients.enumerated() { add(address.address, .recipient, index, domain: address.domainOffset) }
        bytes.append(contentsOf: repeatElement(0, count: Self.padding))
        // A dot is at most one a byte.
        var dots = [Int32](repeating: 0, count: bytes.count)
        var dotCount = 0, probeBound = 0
        bytes.withUnsafeBytes { raw in
            dots.withUnsafeMutableBufferPointer { dotBuffer in
                guard let base = raw.baseAddress, let dotBase = dotBuffer.baseAddress else { return }
                for position in spans.indices {
                    let span = spans[position]
                    let scan = SubjectScan.scan(base, span.start, span.end, domain: span.domainStart, dots: dotBase + dotCount)
                    spans[position] = SubjectSpan(message: 0, kind: span.kind, plain: scan.plain, index: span.index,
                                                  start: span.start, end: span.end, domainStart: span.domainStart,
                                                  firstDot: Int32(truncatingIfNeeded: dotCount),
                                                  dotCount: Int32(truncatingIfNeeded: scan.dotCount), roles: span.roles)
                    dotCount += scan.dotCount
                    probeBound += 1 + scan.dotCount
                }
            }
        }
        dots.removeLast(dots.count - dotCount)
        self.bytes = bytes
        self.spans = spans
        self.dots = dots
        self.probeBound = probeBound
    }
}
