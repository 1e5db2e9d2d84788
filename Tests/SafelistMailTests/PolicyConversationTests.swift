import SafelistCore
import SafelistTesting
import Testing

@testable import SafelistMail

/// RCPT-stage decisions (docs/mail.md, "The SMTP stage"), against the real engine.
@Suite("Postfix policy: decisions")
struct PolicyConversationTests {
    static let policies: [TestPolicy] = [
        TestPolicy.ip("198.51.100.0/24").trustedSender,
        TestPolicy.email("vip@inbound.example").exemptRecipient,
        TestPolicy.email("partner@partner.example").trustedSender.verified,
        TestPolicy.domain("friendly.example").acceptableSender,
        TestPolicy.domain("mx.trusted.example").trustedSender,
    ]

    func answers(
        _ requests: [PolicyRequest], configure: (inout MailOptions) -> Void = { _ in }
    ) async throws -> [String] {
        try await withDecisions(Self.policies, configure: configure) { decisions in
            var conversation = PolicyConversation(options: decisions.options)
            var actions: [String] = []
            for request in requests {
                actions.append(try await conversation.answer(request) { await decisions.evaluate($0, logger: quietLogger) }.action)
            }
            return actions
        }
    }

    @Test func aTrustedClientOrAnExemptRecipientIsPermitted() async throws {
        let actions = try await answers([
            rcpt("anyone@inbound.example", client: "198.51.100.7", instance: "1"),
            rcpt("vip@inbound.example", client: "203.0.113.9", instance: "2"),
            rcpt("other@inbound.example", client: "203.0.113.9", instance: "3"),
        ])
        #expect(actions == ["OK", "OK", "DUNNO"])
    }

    @Test func verifiedPoliciesAndAcceptableSendersAreLeftToLaterStages() async throws {
        let actions = try await answers([
            rcpt("a@inbound.example", sender: "partner@partner.example", client: "203.0.113.9", instance: "1"),
            rcpt("a@inbound.example", sender: "news@friendly.example", client: "203.0.113.9", instance: "2"),
        ])
        #expect(actions == ["DUNNO", "DUNNO"], "no authentication result exists at RCPT; acceptable is not a bypass of everything")
    }

    @Test func onlyTheVerifiedClientNameIsMatched() async throws {
        var unverified = rcpt("a@inbound.example", client: "203.0.113.9", name: "unknown", instance: "2")
        unverified.attributes["reverse_client_name"] = "mx.trusted.example"
        unverified.attributes["helo_name"] = "mx.trusted.example"
        let actions = try await answers([rcpt("a@inbound.example", client: "203.0.113.9", name: "MX.Trusted.Example", instance: "1"), unverified])
        #expect(actions == ["OK", "DUNNO"])
    }

    @Test func otherStagesAndUnusableRequestsAnswerDunno() async throws {
        var noRecipient = rcpt("x", instance: "4")
        noRecipient.attributes["recipient"] = nil
        let actions = try await answers([
            rcpt("vip@inbound.example", instance: "1", state: "DATA"),
            rcpt("vip@inbound.example", instance: "2", state: "END-OF-MESSAGE"),
            rcpt("vip@inbound.example", client: "unknown", instance: "3", state: "CONNECT"),
            noRecipient,
            rcpt("vip@inbound.example", client: "2001:db8::1", instance: "5"),
        ])
        #expect(actions == ["DUNNO", "DUNNO", "DUNNO", "DUNNO", "OK"])
    }

    @Test func aRequestThatIsNotAPolicyRequestIsAProtocolError() async throws {
        await #expect(throws: PolicyProtocolError.notAPolicyRequest) {
            var request = rcpt("vip@inbound.example")
            request.attributes["request"] = "junk"
            _ = try await answers([request])
        }
    }

    @Test func recipientsOfAnotherClassAreDeferredPerTransaction() async throws {
        let deferred = PolicyConversation.deferMixed
        let actions = try await answers([
            rcpt("vip@inbound.example", client: "203.0.113.9", instance: "t1"),
            rcpt("other@inbound.example", client: "203.0.113.9", instance: "t1"),
            rcpt("vip@inbound.example", client: "203.0.113.9", instance: "t1"),
            rcpt("other@inbound.example", client: "203.0.113.9", instance: "t2"),
            rcpt("vip@inbound.example", client: "203.0.113.9", instance: "t2"),
            rcpt("more@inbound.example", client: "203.0.113.9", instance: "t2"),
        ])
        #expect(actions == ["OK", deferred, "OK", "DUNNO", deferred, "DUNNO"])
    }

    @Test func splittingCanBeTurnedOffAndThePermitActionChosen() async throws {
        let actions = try await answers(
            [
                rcpt("vip@inbound.example", client: "203.0.113.9", instance: "t1"),
                rcpt("other@inbound.example", client: "203.0.113.9", instance: "t1"),
            ],
            configure: {
                $0.splitMixedRecipients = false
                $0.permitAction = "PERMIT_AUTH_DESTINATION"
            })
        #expect(actions == ["PERMIT_AUTH_DESTINATION", "DUNNO"])
    }
}
