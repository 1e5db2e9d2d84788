/// The buffers one evaluation call matches with, reused from chunk to chunk and segment to
/// segment: a chunk's subjects laid out back to back, and its literal lookups.
struct MatchWork {
    var bytes: [UInt8] = []
    var spans: [SubjectSpan] = []
    var probes: [Probe] = []
    var ipProbes: [PrefixTable.Probe] = []

    /// Reserves room for the largest chunk of `messages`, so a call allocates each buffer once
    /// instead of growing it append by append.
    init(for messages: UnsafeBufferPointer<MailMessage>, chunkSize: Int) {
        var most = (bytes: 0, spans: 0, probes: 0)
        var chunk = (bytes: 0, spans: 0, probes: 0)
        guard let first = messages.baseAddress else { return }
        for position in messages.indices {
            // Through a pointer: the fields are read in place, the message is never copied.
            let message = first + position
            if position % chunkSize == 0 { chunk = (0, 0, 0) }
            func count(_ text: String?, domain: Int) {
                guard let text else { return }
                let length = text.utf8.count
                chunk.bytes += length
                chunk.spans += 1
                // A lookup for the address, one per label of its domain at most.
                chunk.probes += 2 + (length - domain) / 2
            }
            if let sender = message.pointee.envelopeFrom { count(sender.address, domain: sender.domainOffset) }
            if let sender = message.pointee.headerFrom { count(sender.address, domain: sender.domainOffset) }
            for index in message.pointee.replyTo.indices {
                count(message.pointee.replyTo[index].address, domain: message.pointee.replyTo[index].domainOffset)
            }
            count(message.pointee.clientHostname, domain: 0)
            count(message.pointee.clientIPText, domain: message.pointee.clientIPText?.utf8.count ?? 0)
            for index in message.pointee.recipients.indices {
                count(message.pointee.recipients[index].address, domain: message.pointee.recipients[index].domainOffset)
            }
            most = (max(most.bytes, chunk.bytes), max(most.spans, chunk.spans), max(most.probes, chunk.probes))
        }
        bytes.reserveCapacity(most.bytes)
        spans.reserveCapacity(most.spans)
        probes.reserveCapacity(most.probes)
    }

    /// Lays out the subjects of `messages[range]`: each sender address once (envelope_from and
    /// header_from are often one address), the host name, the client IP's text, each recipient.
    mutating func layout(_ messages: UnsafeBufferPointer<MailMessage>, _ range: Range<Int>) {
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        guard let first = messages.baseAddress else { return }
        for position in range {
            // Through a pointer: the fields are read in place, the message is never copied.
            let message = first + position
            let owner = Int32(position)
            let firstSender = spans.count
            for index in 0..<message.pointee.senderCount {
                guard let sender = message.pointee.sender(index) else { continue }
                // Past the 64th sender, each address stands alone (roles 0).
                guard index < 64 else {
                    add(sender.address, .sender, owner, index, domain: sender.domainOffset)
                    continue
                }
                add(sender.address, .sender, owner, index, domain: sender.domainOffset, roles: 1 << UInt64(index))
                // An address an earlier sender already is (header_from is often envelope_from)
                // is matched once: its role joins that span, its bytes are taken back.
                let added = spans[spans.count - 1]
                if let earlier = (firstSender..<spans.count - 1).first(where: { sameBytes(spans[$0], added) }) {
                    spans[earlier].roles |= added.roles
                    spans.removeLast()
                    bytes.removeLast(added.end - added.start)
                }
            }
            if let hostname = message.pointee.clientHostname { add(hostname, .hostname, owner, 0, domain: 0) }
            if let text = message.pointee.clientIPText { add(text, .ip, owner, 0, domain: text.utf8.count) }
            for index in message.pointee.recipients.indices {
                let recipient = message.pointee.recipients[index]
                add(recipient.address, .recipient, owner, index, domain: recipient.domainOffset)
            }
        }
    }

    private func sameBytes(_ one: SubjectSpan, _ other: SubjectSpan) -> Bool {
        one.end - one.start == other.end - other.start && bytes.withUnsafeBytes {
            ByteKeyTable.equal($0, at: one.start, UnsafeRawBufferPointer(rebasing: $0[other.start..<other.end]))
        }
    }

    private mutating func add(_ text: String, _ kind: SubjectSpan.Kind, _ message: Int32, _ index: Int, domain: Int, roles: UInt64 = 0) {
        let start = bytes.count
        // Native strings hand over their bytes at once; others (bridged) are copied a byte at a time.
        if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: text.utf8)
        }
        let plain = bytes.withUnsafeBytes { RegexFilter.isPlain(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        spans.append(SubjectSpan(message: message, kind: kind, plain: plain, index: Int32(truncatingIfNeeded: index), start: start,
                                 end: bytes.count, domainStart: start + domain, roles: roles))
    }
}

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
