import NIOCore
import SafelistCore
import SafelistTesting
import Testing

@testable import SafelistMail

/// The milter protocol's rules, one by one (docs/mail.md, "The end-of-message stage").
@Suite("Milter: the protocol")
struct MilterSessionTests {
    let options = MailOptions(account: account)

    func negotiated(_ offer: MilterPacket = postfixNegotiation) throws -> MilterSession {
        var session = MilterSession(options: options)
        _ = try session.step(MilterCommand(offer))
        return session
    }

    @Test func negotiationAsksOnlyForWhatItNeedsOfWhatIsOffered() throws {
        var session = MilterSession(options: options)
        let full = try session.step(MilterCommand(postfixNegotiation))
        #expect(full == .reply([.negotiate(version: 6, actions: [.addHeaders, .changeHeaders], steps: .wanted)]))

        var older = MilterSession(options: options)
        let partial = try older.step(MilterCommand(packet("O", integers: [2, 0x01, 0x3F])))
        #expect(partial == .reply([.negotiate(version: 2, actions: [.addHeaders], steps: [.noBody])]))
        // Without the no-reply flags, every step is answered.
        #expect(try older.step(MilterCommand(packet("H", strings: ["mx.example"]))) == .reply([.continue]))

        var newer = MilterSession(options: options)
        #expect(
            try newer.step(MilterCommand(packet("O", integers: [7, 0x1FF, 0])))
                == .reply([.negotiate(version: 6, actions: [.addHeaders, .changeHeaders], steps: [])]))
        var ancient = MilterSession(options: options)
        #expect(throws: MilterProtocolError.unsupportedVersion(1)) { _ = try ancient.step(MilterCommand(packet("O", integers: [1, 0x1FF, 0]))) }
    }

    @Test func commandsBeforeNegotiationAndGarbageAreErrors() throws {
        var session = MilterSession(options: options)
        #expect(throws: MilterProtocolError.beforeNegotiation) { _ = try session.step(MilterCommand(packet("H", strings: ["x"]))) }
        #expect(throws: MilterProtocolError.unknownCommand(UInt8(ascii: "Z"))) { _ = try MilterCommand(packet("Z")) }
        #expect(throws: MilterProtocolError.self) { _ = try MilterCommand(packet("O", integers: [6, 1])) }
        #expect(throws: MilterProtocolError.self) { _ = try MilterCommand(packet("H", raw: Array("no terminator".utf8))) }
        #expect(throws: MilterProtocolError.self) { _ = try MilterCommand(packet("C", strings: ["host"], raw: [])) }
    }

    @Test func withNoReplyFlagsOnlyTheEndOfAMessageIsAnswered() throws {
        var session = try negotiated()
        let steps: [MilterPacket] = [
            packet("D", strings: [], raw: [UInt8(ascii: "C")] + Array("{client_addr}\u{0}203.0.113.9\u{0}j\u{0}mta.example\u{0}".utf8)),
            packet("H", strings: ["mx.partner.example"]),
            packet("M", strings: ["<a@partner.example>", "SIZE=100"]),
            packet("R", strings: ["<b@inbound.example>"]),
            packet("L", strings: ["Subject", "hi"]),
            packet("N"),
        ]
        for step in steps {
            #expect(try session.step(MilterCommand(step)) == .reply([]))
        }
        #expect(session.macros["{client_addr}"] == "203.0.113.9" && session.macros["j"] == "mta.example")
        #expect(try session.step(MilterCommand(packet("E"))) == .evaluate)
        #expect(session.message().message.recipients.map(\.address) == ["b@inbound.example"])
    }

    @Test func aConnectCarriesTheClient() throws {
        var session = try negotiated()
        var data = ByteBuffer()
        data.writeNullTerminatedString("mx.partner.example")
        data.writeInteger(UInt8(ascii: "4"))
        data.writeInteger(UInt16(25))
        data.writeNullTerminatedString("203.0.113.9")
        #expect(try session.step(MilterCommand(MilterPacket(command: UInt8(ascii: "C"), data: data))) == .reply([]))
        _ = try session.step(MilterCommand(packet("M", strings: ["<>"])))
        let message = session.message().message
        #expect(message.clientIP.map { "\($0)" } == "203.0.113.9")
        #expect(message.clientHostname == "mx.partner.example")
        #expect(message.envelopeFrom == nil, "the null sender")
    }

    @Test func abortAndQuitResetWhatTheyShould() throws {
        var session = try negotiated()
        _ = try session.step(MilterCommand(packet("M", strings: ["<a@x.example>"])))
        _ = try session.step(MilterCommand(packet("R", strings: ["<first@inbound.example>"])))
        #expect(try session.step(MilterCommand(packet("A"))) == .reply([]))
        _ = try session.step(MilterCommand(packet("M", strings: ["<c@x.example>"])))
        _ = try session.step(MilterCommand(packet("R", strings: ["<second@inbound.example>"])))
        #expect(session.message().message.recipients.map(\.address) == ["second@inbound.example"])
        #expect(try session.step(MilterCommand(packet("K"))) == .reply([]))
        #expect(session.message().message.recipients.isEmpty)
        #expect(try session.step(MilterCommand(packet("Q"))) == .close)
    }

    @Test func theEndStripsIncomingSafelistHeadersLastFirstAndAddsOneVerdict() throws {
        var session = try negotiated()
        _ = try session.step(MilterCommand(packet("M", strings: ["<a@x.example>"])))
        for (name, value) in [
            ("X-Safelist-Verdict", "sender=trusted"), ("From", "a@x.example"), ("x-safelist-verdict", "sender=trusted"),
            ("X-Safelist-Other", "1"), ("X-Safelisted", "kept: not the prefix"),
        ] {
            _ = try session.step(MilterCommand(packet("L", strings: [name, value])))
        }
        #expect(
            session.finish(verdict: "sender=none; exempt=none") == [
                .changeHeader(index: 1, name: "X-Safelist-Other", value: ""),
                .changeHeader(index: 2, name: "X-Safelist-Verdict", value: ""),
                .changeHeader(index: 1, name: "X-Safelist-Verdict", value: ""),
                .addHeader(name: "X-Safelist-Verdict", value: "sender=none; exempt=none"), .continue,
            ])
        #expect(session.envelope.safelistHeaders.isEmpty, "the next message starts clean")
    }

    @Test func withoutTheActionsOfferedNothingIsChanged() throws {
        var session = try negotiated(packet("O", integers: [6, 0, 0x1F_FFFF]))
        _ = try session.step(MilterCommand(packet("L", strings: ["X-Safelist-Verdict", "sender=trusted"])))
        #expect(session.finish(verdict: "sender=none; exempt=none") == [.continue])
    }

    @Test func repliesHaveTheWireForm() {
        #expect(Array(buffer: MilterReply.continue.packet.bytes) == [0, 0, 0, 1, UInt8(ascii: "c")])
        #expect(
            Array(buffer: MilterReply.changeHeader(index: 2, name: "X", value: "").packet.bytes)
                == [0, 0, 0, 8, UInt8(ascii: "m"), 0, 0, 0, 2, UInt8(ascii: "X"), 0, 0])
    }
}
