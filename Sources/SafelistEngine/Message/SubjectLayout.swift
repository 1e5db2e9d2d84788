import Foundation
import SafelistCore

/// A message's subjects as matching reads them, laid out once, when the message is made: their
/// bytes back to back, a span for each (kind, where its domain starts, whether it is plain),
/// the offsets of its domains' dots, and which sender addresses are one address. An evaluation
/// copies a message's layout into its chunk's buffers in three moves, instead of walking the
/// message's strings (a retain and a release of each, a copy and a scan per subject).
///
/// One allocation holds it all (client IP, spans, dots, bytes), and where its parts lie is a
/// plain value (`LayoutView`), so an evaluation reads a layout without a retain or a release:
/// the messages it evaluates keep their layouts alive for the whole call. Immutable once made,
/// hence `@unchecked Sendable`.
final class SubjectLayout: @unchecked Sendable {
    /// `SubjectScan` reads whole words, and layouts are copied a word at a time: up to seven
    /// bytes past a subject's last are read.
    static let padding = 8

    /// Where the parts lie (`LayoutView`); matching reads a copy kept in `PreparedMessage`.
    let view: LayoutView

    var spans: UnsafeBufferPointer<SubjectSpan> { view.spans }
    var dots: UnsafeBufferPointer<Int32> { view.dots }
    /// The subjects' bytes; `padding` zero bytes follow them.
    var bytes: UnsafeBufferPointer<UInt8> { view.bytes }
    var probeBound: Int { view.probeBound }

    /// Lays out, in subject order: each sender address (envelope_from, header_from, each
    /// reply_to; their index counts them from 0), the host name, the client IP's text, each
    /// recipient (its index is its position). This runs once for every message a server
    /// evaluates: the work is done in a scratch area sized for the worst case (a dot a byte),
    /// then moved into one allocation of the exact size.
    init(_ message: MailMessage, clientIPText: String?) {
        let (envelopeFrom, headerFrom, replyTo) = (message.envelopeFrom, message.headerFrom, message.replyTo)
        let (clientHostname, recipients) = (message.clientHostname, message.recipients)
        let clientIP = message.clientIP
        var capacity = (spans: 0, bytes: 0)
        func measure(_ text: String?) {
            guard let text else { return }
            capacity.spans += 1
            capacity.bytes += text.utf8.count
        }
        measure(envelopeFrom?.address)
        for address in headerFrom.prefix(MailMessage.maximumHeaderFrom) { measure(address.address) }
        for address in replyTo { measure(address.address) }
        measure(clientHostname)
        measure(clientIPText)
        for address in recipients { measure(address.address) }

        let spanStride = MemoryLayout<SubjectSpan>.stride, alignment = MemoryLayout<SubjectSpan>.alignment
        let scratchDots = capacity.spans * spanStride, scratchBytes = scratchDots + capacity.bytes * 4
        view = withUnsafeTemporaryAllocation(byteCount: scratchBytes + capacity.bytes + Self.padding, alignment: alignment) { scratch in
            // A temporary allocation of a nonzero size always has an address; without one,
            // the layout is empty.
            guard let base = scratch.baseAddress else { return Self.store(clientIP: clientIP, spans: nil, dots: nil, bytes: nil, (0, 0, 0)) }
            let spanBase = base.bindMemory(to: SubjectSpan.self, capacity: capacity.spans)
            let dotBase = (base + scratchDots).bindMemory(to: Int32.self, capacity: capacity.bytes)
            let byteBase = (base + scratchBytes).initializeMemory(as: UInt8.self, repeating: 0, count: capacity.bytes + Self.padding)
            var spanCount = 0, byteCount = 0, dotCount = 0

            // `domain` is where the domain starts in `text`: 0 for the host name, the end for the IP.
            func add(_ text: String, _ kind: SubjectSpan.Kind, _ index: Int, domain: Int) {
                let start = byteCount, count = text.utf8.count
                let target = UnsafeMutableBufferPointer(start: byteBase + start, count: count)
                let copied = text.utf8.withContiguousStorageIfAvailable { source -> Bool in
                    if let from = source.baseAddress, let to = target.baseAddress { to.update(from: from, count: count) }
                    return true
                }
                if copied == nil { _ = target.update(from: text.utf8) }
                var roles: UInt64 = 0
                if kind == .sender, index < 64 {
                    roles = 1 << UInt64(index)
                    // An address an earlier sender already is (header_from is often
                    // envelope_from) is matched once: its role joins that span, and its bytes
                    // are written over.
                    for earlier in 0..<spanCount {
                        let span = spanBase[earlier]
                        guard span.kind == .sender, span.end - span.start == count,
                            memcmp(byteBase + span.start, byteBase + start, count) == 0
                        else { continue }
                        spanBase[earlier].roles |= roles
                        return
                    }
                }
                // Past the 64th sender, each address stands alone (roles 0). Its plain flag
                // and dots are filled in below.
                byteCount += count
                (spanBase + spanCount).initialize(
                    to: SubjectSpan(
                        message: 0, kind: kind, plain: false, index: Int32(truncatingIfNeeded: index), start: start, end: start + count,
                        domainStart: start + domain, firstDot: 0, dotCount: 0, roles: roles))
                spanCount += 1
            }
            if let envelopeFrom { add(envelopeFrom.address, .sender, 0, domain: envelopeFrom.domainOffset) }
            for (index, address) in headerFrom.prefix(MailMessage.maximumHeaderFrom).enumerated() {
                add(address.address, .sender, MailMessage.senderIndex(headerFrom: index), domain: address.domainOffset)
            }
            for (index, address) in replyTo.enumerated() {
                add(address.address, .sender, MailMessage.senderIndex(replyTo: index), domain: address.domainOffset)
            }
            if let clientHostname { add(clientHostname, .hostname, 0, domain: 0) }
            if let clientIPText { add(clientIPText, .ip, 0, domain: clientIPText.utf8.count) }
            for (index, address) in recipients.enumerated() { add(address.address, .recipient, index, domain: address.domainOffset) }
            // A sender folded into an earlier one left its bytes past the end: zero them again.
            (byteBase + byteCount).update(repeating: 0, count: Self.padding)
            // Scanned once all are copied: a word read right after the copy wrote its bytes
            // would wait for the copy's stores to drain.
            for position in 0..<spanCount {
                let span = spanBase[position]
                let scan = SubjectScan.scan(UnsafeRawPointer(byteBase), span.start, span.end, domain: span.domainStart, dots: dotBase + dotCount)
                spanBase[position] = SubjectSpan(
                    message: 0, kind: span.kind, plain: scan.plain, index: span.index, start: span.start, end: span.end,
                    domainStart: span.domainStart, firstDot: Int32(truncatingIfNeeded: dotCount),
                    dotCount: Int32(truncatingIfNeeded: scan.dotCount), roles: span.roles)
                dotCount += scan.dotCount
            }

            return Self.store(clientIP: clientIP, spans: spanBase, dots: dotBase, bytes: byteBase, (spanCount, dotCount, byteCount))
        }
    }

    /// One allocation of the exact size: the client IP, spans, dots, then the bytes and their
    /// padding (zeros when there are no bytes).
    private static func store(
        clientIP: IPBlock?, spans: UnsafePointer<SubjectSpan>?, dots: UnsafePointer<Int32>?, bytes: UnsafePointer<UInt8>?,
        _ counts: (spans: Int, dots: Int, bytes: Int)
    ) -> LayoutView {
        let storage = UnsafeMutableRawPointer.allocate(
            byteCount: LayoutView.size(spans: counts.spans, dots: counts.dots, bytes: counts.bytes), alignment: LayoutView.spanAlignment)
        storage.initializeMemory(as: IPBlock?.self, repeating: clientIP, count: 1)
        let spanStart = storage + LayoutView.headerSize
        if let spans { spanStart.initializeMemory(as: SubjectSpan.self, from: spans, count: counts.spans) }
        let dotStart = spanStart + counts.spans * MemoryLayout<SubjectSpan>.stride
        if let dots { dotStart.initializeMemory(as: Int32.self, from: dots, count: counts.dots) }
        let byteStart = dotStart + counts.dots * MemoryLayout<Int32>.stride
        if let bytes {
            byteStart.initializeMemory(as: UInt8.self, from: bytes, count: counts.bytes + padding)
        } else {
            byteStart.initializeMemory(as: UInt8.self, repeating: 0, count: padding)
        }
        return LayoutView(
            storage: UnsafeRawPointer(storage), byteCount: UInt32(truncatingIfNeeded: counts.bytes),
            spanCount: UInt32(truncatingIfNeeded: counts.spans), dotCount: UInt32(truncatingIfNeeded: counts.dots))
    }

    deinit { UnsafeMutableRawPointer(mutating: view.storage).deallocate() }
}
