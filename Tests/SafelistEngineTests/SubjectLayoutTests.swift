import Foundation
import SafelistCore
import Testing

@testable import SafelistEngine

/// A message's subjects are laid out once, when it is made, and every evaluation copies that
/// layout: it must hold each subject once, in subject order, with its domain start, its dots and
/// the sender roles it stands for.
@Suite("Subject layout: what a message hands the matcher")
struct SubjectLayoutTests {
    /// The text of each span, with its kind, index and roles, and its dots as offsets into the text.
    static func described(_ layout: SubjectLayout) -> [String] {
        layout.spans.map { span in
            let text = String(decoding: layout.bytes[span.start..<span.end], as: UTF8.self)
            let domain = String(decoding: layout.bytes[span.domainStart..<span.end], as: UTF8.self)
            let dots = layout.dots[Int(span.firstDot)..<Int(span.firstDot + span.dotCount)].map { String(Int($0) - span.start) }
            return
                "\(span.kind) \(span.index) \(String(span.roles, radix: 2)) \(text) [\(domain)] dots \(dots.joined(separator: ",")) plain \(span.plain)"
        }
    }

    @Test func eachSubjectOnceInSubjectOrder() throws {
        let message = PreparedMessage(
            MailMessage(
                envelopeFrom: EmailSubject("ann@mail.example.com"), headerFrom: [EmailSubject("Ann@Example.com")!],
                replyTo: [EmailSubject("ann@mail.example.com")!, EmailSubject("bob@b.example")!],
                recipients: [EmailSubject("x@in.example.org")!, EmailSubject("x@in.example.org")!],
                clientIP: try IPBlock.parse("192.0.2.7"), clientHostname: "mta.out.example.net"))
        #expect(
            Self.described(message.layout) == [
                // envelope_from (sender 0) and the first reply_to (sender 32) are one address: one
                // span, roles 0 and 32.
                "sender 0 1\(String(repeating: "0", count: 31))1 ann@mail.example.com [mail.example.com] dots 8,16 plain true",
                "sender 1 10 ann@example.com [example.com] dots 11 plain true",
                "sender 33 1\(String(repeating: "0", count: 33)) bob@b.example [b.example] dots 5 plain true",
                "hostname 0 0 mta.out.example.net [mta.out.example.net] dots 3,7,15 plain true",
                "ip 0 0 192.0.2.7 [] dots  plain true",
                // Recipients are never folded: each has its own exemption.
                "recipient 0 0 x@in.example.org [in.example.org] dots 4,12 plain true",
                "recipient 1 0 x@in.example.org [in.example.org] dots 4,12 plain true",
            ])
        // Each subject's bytes once, then the zero padding word reads run into.
        let text =
            "ann@mail.example.com" + "ann@example.com" + "bob@b.example" + "mta.out.example.net" + "192.0.2.7"
            + "x@in.example.org" + "x@in.example.org"
        #expect(Array(message.layout.bytes) == Array(text.utf8))
        #expect(
            Array(UnsafeBufferPointer(start: message.layout.bytes.baseAddress, count: text.utf8.count + SubjectLayout.padding)).suffix(
                SubjectLayout.padding) == Array(repeating: 0, count: SubjectLayout.padding))
        // One lookup an address or name, and one a dot.
        #expect(message.layout.probeBound == 3 + 2 + 2 + 4 + 1 + 3 + 3)
    }

    /// Sender roles are bits of a 64-bit mask: from the 65th sender on, each stands alone.
    @Test func sendersPastTheSixtyFourthStandAlone() throws {
        let address = try #require(EmailSubject("same@example.com"))
        let message = PreparedMessage(
            MailMessage(envelopeFrom: address, headerFrom: [address], replyTo: Array(repeating: address, count: 68), recipients: []))
        let spans = message.layout.spans
        // Senders 0 (envelope_from), 1 (header_from) and 32 to 63 (the first reply_to's) fold
        // into one span; the reply_to addresses from sender 64 on stand alone.
        #expect(spans.count == 1 + 36)
        #expect(spans[0].roles == UInt64(0b11) | UInt64(0xFFFF_FFFF_0000_0000))
        #expect(spans.dropFirst().map(\.index) == Array(64...99))
        #expect(spans.dropFirst().allSatisfy { $0.roles == 0 })
    }

    @Test func unplainSubjectsAreMarked() throws {
        let message = PreparedMessage(MailMessage(envelopeFrom: EmailSubject("a b@example.com"), recipients: [EmailSubject("ü@example.com")!]))
        #expect(message.layout.spans.map(\.plain) == [false, false])
    }

    /// Answers list matches by id last; comparing the ids' bytes must give `uuidString`'s order.
    @Test func idOrderIsTheStringOrder() {
        var ids = (0..<2_000).map { _ in UUID() }
        ids += [
            UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)),
            UUID(uuid: (0x0F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), UUID(uuid: (0xF0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        ]
        #expect(ids.map(PolicyID.init(uuid:)).sorted().map(\.uuid) == ids.sorted { $0.uuidString < $1.uuidString })
    }
}
