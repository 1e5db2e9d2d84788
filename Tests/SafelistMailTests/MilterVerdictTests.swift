import SafelistCore
import SafelistTesting
import Testing

@testable import SafelistMail

/// What the verdict header says about a whole message, against the real engine: verification
/// bound to the matching identity, only trusted `Authentication-Results` read.
@Suite("Milter: the verdict")
struct MilterVerdictTests {
    static let policies: [TestPolicy] = [
        TestPolicy.email("ceo@partner.example").trustedSender.verified,
        TestPolicy.email("vip@inbound.example").exemptRecipient,
        TestPolicy.domain("friendly.example").acceptableSender,
    ]

    /// The verdict for a message from `sender` with these headers, to `recipients`.
    func verdict(sender: String = "<bounce@partner.example>", recipients: [String] = ["<a@inbound.example>"], headers: [(String, String)])
        async throws -> String?
    {
        try await withDecisions(Self.policies) { decisions in
            var session = MilterSession(options: decisions.options)
            _ = try session.step(MilterCommand(postfixNegotiation))
            _ = try session.step(MilterCommand(packet("M", strings: [sender])))
            for recipient in recipients { _ = try session.step(MilterCommand(packet("R", strings: [recipient]))) }
            for (name, value) in headers { _ = try session.step(MilterCommand(packet("L", strings: [name, value]))) }
            let message = session.message().message
            let evaluation = await decisions.evaluate(message, logger: quietLogger)
            return evaluation.map { VerdictHeader.value($0, recipientCount: message.recipients.count) }
        }
    }

    @Test func aVerifiedTrustedSenderIsTrusted() async throws {
        let value = try await verdict(headers: [
            ("From", "The CEO <ceo@partner.example>"),
            ("Authentication-Results", "mx.example.test; spf=pass smtp.mailfrom=bounce@partner.example;\n\tdmarc=pass header.from=partner.example"),
        ])
        #expect(value?.hasPrefix("sender=trusted; exempt=none; policies=") == true, "\(value ?? "nil")")
        #expect(value?.hasSuffix(":header_from:honored") == true)
    }

    @Test func aSpoofedFromWithTheAttackersOwnSPFPassIsNot() async throws {
        let value = try await verdict(
            sender: "<x@evil.example>",
            headers: [("From", "ceo@partner.example"), ("Authentication-Results", "mx.example.test; spf=pass smtp.mailfrom=x@evil.example")])
        #expect(value?.hasPrefix("sender=none; exempt=none; policies=") == true && value?.hasSuffix(":header_from:unverified") == true)
    }

    @Test func authenticationResultsFromAnUntrustedAuthservIDAreIgnored() async throws {
        let value = try await verdict(headers: [
            ("From", "ceo@partner.example"), ("Authentication-Results", "attacker.example; dmarc=pass header.from=partner.example"),
        ])
        #expect(value?.hasPrefix("sender=none;") == true, "\(value ?? "nil")")
    }

    @Test func exemptionsAreCountedNotNamed() async throws {
        let some = try await verdict(recipients: ["<vip@inbound.example>", "<other@inbound.example>"], headers: [("From", "a@x.example")])
        #expect(some?.hasPrefix("sender=none; exempt=1/2; policies=") == true)
        #expect(some?.contains("inbound.example") == false, "a recipient's address would reach every recipient")
        let all = try await verdict(recipients: ["<vip@inbound.example>"], headers: [("From", "a@x.example")])
        #expect(all?.hasPrefix("sender=none; exempt=all;") == true)
        let acceptable = try await verdict(sender: "<news@friendly.example>", headers: [("From", "news@friendly.example")])
        #expect(acceptable?.hasPrefix("sender=acceptable; exempt=none;") == true)
        let nothing = try await verdict(sender: "<a@x.example>", headers: [("From", "a@x.example")])
        #expect(nothing == "sender=none; exempt=none")
    }
}
