import SafelistCore
import SafelistEngine
import SafelistTesting
import Testing

/// One row of docs/engine-semantics.md: policies, a message, and which policy matches
/// which subject.
struct SemanticCase: Sendable, CustomTestStringConvertible {
    let name: String
    let policies: [TestPolicy]
    let message: MailMessage
    let expected: [String]
    var testDescription: String { name }
}

@Suite("Engine semantics: every row of the spec")
struct SemanticsTests {
    static let cases: [SemanticCase] = [
        // EMAIL literal: the whole address, case-insensitively, on every sender subject.
        .init(
            name: "EMAIL literal matches envelope_from and header_from, any case",
            policies: [.email("Ann@Example.com").trustedSender],
            message: message(from: "ANN@example.COM", header: "\"Ann\" <ann@EXAMPLE.com>"),
            expected: ["ann@example.com <- envelope_from", "ann@example.com <- header_from[0]"]),
        .init(
            name: "EMAIL literal matches a reply_to address",
            policies: [.email("ann@example.com").acceptableSender],
            message: message(replyTo: ["x@other.example", "ann@example.com"]),
            expected: ["ann@example.com <- reply_to[1]"]),
        .init(
            name: "EMAIL literal is the whole address, not a part of one",
            policies: [.email("ann@example.com").trustedSender],
            message: message(from: "joann@example.com", header: "ann@example.com.evil.example"),
            expected: []),
        .init(
            name: "EMAIL literal with a trailing dot in the subject's domain",
            policies: [.email("ann@example.com").trustedSender],
            message: message(from: "ann@example.com."),
            expected: ["ann@example.com <- envelope_from"]),
        .init(
            name: "EMAIL literal with an internationalised domain matches its punycode form and its Unicode form",
            policies: [.email("info@bücher.example").trustedSender],
            message: message(from: "info@xn--bcher-kva.example", header: "INFO@BÜCHER.example"),
            expected: ["info@bücher.example <- envelope_from", "info@bücher.example <- header_from[0]"]),
        .init(
            name: "the null sender has no envelope_from subject",
            policies: [.email("ann@example.com").trustedSender],
            message: message(from: nil, header: "ann@example.com"),
            expected: ["ann@example.com <- header_from[0]"]),

        // DOMAIN literal: the name or a subdomain, at a label boundary.
        .init(
            name: "DOMAIN literal matches the domain itself and subdomains",
            policies: [.domain("example.com").trustedSender],
            message: message(from: "a@example.com", header: "b@mail.eu.example.com"),
            expected: ["example.com <- envelope_from", "example.com <- header_from[0]"]),
        .init(
            name: "DOMAIN literal does not match across a label boundary (badexample.com)",
            policies: [.domain("example.com").trustedSender],
            message: message(from: "a@badexample.com", header: "a@example.com.evil.net", host: "notexample.com"),
            expected: []),
        .init(
            name: "DOMAIN literal matches client_hostname, with case and a trailing dot",
            policies: [.domain("relay.example.net").acceptableSender],
            message: message(host: "MX1.Relay.Example.NET."),
            expected: ["relay.example.net <- client_hostname"]),
        .init(
            name: "DOMAIN literal in Unicode matches the punycode subject",
            policies: [.domain("bücher.example").trustedSender],
            message: message(from: "a@shop.xn--bcher-kva.example"),
            expected: ["bücher.example <- envelope_from"]),
        .init(
            name: "DOMAIN literal given in punycode matches a Unicode subject",
            policies: [.domain("xn--bcher-kva.example").trustedSender],
            message: message(from: "a@Bücher.example"),
            expected: ["xn--bcher-kva.example <- envelope_from"]),

        // IP literal: inside the block; IPv4-mapped IPv6 compared as IPv4.
        .init(
            name: "IPv4 block matches its first and last address",
            policies: [.ip("203.0.113.0/24").trustedSender],
            message: message(ip: "203.0.113.0"), expected: ["203.0.113.0/24 <- client_ip"]),
        .init(
            name: "IPv4 block's last address",
            policies: [.ip("203.0.113.0/24").trustedSender],
            message: message(ip: "203.0.113.255"), expected: ["203.0.113.0/24 <- client_ip"]),
        .init(
            name: "IPv4 block does not match the next address",
            policies: [.ip("203.0.113.0/24").trustedSender],
            message: message(ip: "203.0.114.0"), expected: []),
        .init(
            name: "IPv4 single address is a /32",
            policies: [.ip("198.51.100.7").trustedSender],
            message: message(ip: "198.51.100.7"), expected: ["198.51.100.7 <- client_ip"]),
        .init(
            name: "IPv4-mapped IPv6 subject is compared as IPv4",
            policies: [.ip("198.51.100.0/25").trustedSender],
            message: message(ip: "::ffff:198.51.100.9"), expected: ["198.51.100.0/25 <- client_ip"]),
        .init(
            name: "IPv6 block matches inside, not beyond its edge",
            policies: [.ip("2001:db8:1::/48").trustedSender],
            message: message(ip: "2001:DB8:1:FFFF:FFFF:FFFF:FFFF:FFFF"), expected: ["2001:db8:1::/48 <- client_ip"]),
        .init(
            name: "IPv6 block does not match the next /48",
            policies: [.ip("2001:db8:1::/48").trustedSender],
            message: message(ip: "2001:db8:2::"), expected: []),
        .init(
            name: "nested IP blocks both match",
            policies: [.ip("203.0.113.0/24").acceptableSender, .ip("203.0.113.128/25").trustedSender],
            message: message(ip: "203.0.113.200"),
            expected: ["203.0.113.0/24 <- client_ip", "203.0.113.128/25 <- client_ip"]),
        .init(
            name: "an IP policy never matches a recipient",
            policies: [.ip("203.0.113.0/24").exemptRecipient],
            message: message(ip: "203.0.113.1"), expected: []),

        // Regex: the whole subject, caseless, against the subjects of its type.
        .init(
            name: "EMAIL regex matches the whole address, caseless",
            policies: [.email(".*@example\\.com", regex: true).trustedSender],
            message: message(from: "Bob@EXAMPLE.com", header: "bob@example.com.evil.net"),
            expected: [".*@example\\.com <- envelope_from"]),
        .init(
            name: "a regex that matches only part of the subject does not match",
            policies: [.email("example", regex: true).trustedSender, .domain("example", regex: true).trustedSender],
            message: message(from: "bob@example.com"), expected: []),
        .init(
            name: "alternatives are anchored as a whole",
            policies: [.email("a@x\\.example|b@y\\.example", regex: true).trustedSender],
            message: message(from: "b@y.example", header: "a@x.example.evil"),
            expected: ["a@x\\.example|b@y\\.example <- envelope_from"]),
        .init(
            name: "DOMAIN regex matches sender domains and the hostname, after the trailing dot is removed",
            policies: [.domain("mx[0-9]+\\.example\\.net", regex: true).acceptableSender],
            message: message(from: "a@mx7.example.net", host: "MX12.example.net."),
            expected: ["mx[0-9]+\\.example\\.net <- envelope_from", "mx[0-9]+\\.example\\.net <- client_hostname"]),
        .init(
            name: "IP regex matches the canonical text of client_ip",
            policies: [.ip("2001:db8::[0-9]+", regex: true).trustedSender],
            message: message(ip: "2001:0DB8:0:0:0:0:0:17"), expected: ["2001:db8::[0-9]+ <- client_ip"]),
        .init(
            name: "IP regex sees a mapped address in its IPv4 form",
            policies: [.ip("198\\.51\\.100\\.[0-9]+", regex: true).trustedSender],
            message: message(ip: "::ffff:198.51.100.4"), expected: ["198\\.51\\.100\\.[0-9]+ <- client_ip"]),
        .init(
            name: "an EMAIL regex is not tried on domains, nor a DOMAIN regex on addresses",
            policies: [.email("example\\.com", regex: true).trustedSender, .domain(".*@example\\.com", regex: true).trustedSender],
            message: message(from: "a@example.com"), expected: []),

        // Sides: sender flags match sender subjects, the exemption matches recipients.
        .init(
            name: "an exempt-recipient policy does not match the sender",
            policies: [.email("ann@example.com").exemptRecipient],
            message: message(from: "ann@example.com", to: ["x@inbound.example"]), expected: []),
        .init(
            name: "a trusted-sender policy does not match a recipient",
            policies: [.domain("inbound.example").trustedSender],
            message: message(to: ["x@inbound.example"]), expected: []),
        .init(
            name: "several recipients with different exemptions",
            policies: [
                .email("ceo@corp.example").exemptRecipient, .domain("legal\\.corp\\.example", regex: true).exemptRecipient,
                .domain("corp.example").exemptRecipient.verified,
            ],
            message: message(to: ["ceo@corp.example", "x@legal.corp.example", "y@other.example"]),
            expected: [
                "ceo@corp.example <- recipients[0]", "corp.example <- recipients[0]",
                "corp.example <- recipients[1]", "legal\\.corp\\.example <- recipients[1]",
            ]),
    ]

    @Test(arguments: cases)
    func matches(_ row: SemanticCase) async throws {
        let evaluation = try await evaluate(row.policies, [row.message])[0]
        #expect(evaluation.matched == row.expected)
    }

    @Test func recipientExemptionsApplyPerRecipient() async throws {
        let policies: [TestPolicy] = [
            .email("ceo@corp.example").exemptRecipient, .domain("legal\\.corp\\.example", regex: true).exemptRecipient,
            .domain("corp.example").exemptRecipient.verified,
        ]
        let evaluation = try await evaluate(
            policies,
            [
                message(
                    to: ["ceo@corp.example", "x@legal.corp.example", "y@other.example"],
                    disposition: .spam)
            ])[0]
        #expect(evaluation.exemptRecipients == [0, 1])
        #expect(evaluation.recipientDispositions == [.none, .none, .spam])
        #expect(evaluation.disposition == .spam)
        // The verified domain policy matched both but, with no passing check, granted nothing.
        let unverified = evaluation.matches.filter { $0.policy.pattern == "corp.example" }
        #expect(unverified.count == 2 && unverified.allSatisfy { !$0.honored })
    }

    /// Every combination of the three plain results, on a match on envelope_from and one on
    /// header_from: a plain SPF pass authenticates the envelope sender's domain, a plain DMARC
    /// pass the From domain, and a plain DKIM pass (no signing domain) no address.
    @Test func verifySenderAcrossEveryAuthCombination() async throws {
        var messages: [MailMessage] = []
        for spf in AuthResult.allCases {
            for dkim in AuthResult.allCases {
                for dmarc in AuthResult.allCases {
                    messages.append(message(from: "ann@example.com", spf: spf, dkim: dkim, dmarc: dmarc, disposition: .spam))
                    messages.append(message(from: "", header: "ann@example.com", spf: spf, dkim: dkim, dmarc: dmarc, disposition: .spam))
                }
            }
        }
        let evaluations = try await evaluate([.email("ann@example.com").trustedSender.verified], messages)
        #expect(evaluations.count == 2 * 512)
        for (message, evaluation) in zip(messages, evaluations) {
            let onEnvelope = message.envelopeFrom != nil
            let passes = onEnvelope ? message.auth.spf.contains { $0.result == .pass } : message.auth.dmarc.contains { $0.result == .pass }
            #expect(evaluation.matches.count == 1)
            #expect(evaluation.matches.first?.honored == passes, "\(message.auth)")
            #expect(evaluation.trustedSender == passes)
            #expect(evaluation.disposition == (passes ? Disposition.none : .spam))
        }
    }

    @Test func unverifiedPolicyIsHonouredWithoutAuthentication() async throws {
        let evaluation = try await evaluate(
            [.email("ann@example.com").trustedSender], [message(from: "ann@example.com", spf: .fail, dkim: .fail, dmarc: .fail)])[0]
        #expect(evaluation.matches.first?.honored == true)
        #expect(evaluation.trustedSender)
    }

    /// Trusted clears every verdict; acceptable clears only SPAM, SPOOF and BULK.
    @Test(arguments: Disposition.allCases)
    func effectsOnEachDisposition(_ given: Disposition) async throws {
        let policies: [TestPolicy] = [.email("trusted@example.com").trustedSender, .email("ok@example.com").acceptableSender]
        let evaluations = try await evaluate(
            policies,
            [
                message(from: "trusted@example.com", disposition: given),
                message(from: "ok@example.com", disposition: given),
                message(from: "trusted@example.com", header: "ok@example.com", disposition: given),
                message(from: "nobody@example.com", disposition: given),
            ])
        #expect(evaluations[0].disposition == Disposition.none)
        let cleared: Set<Disposition> = [.spam, .spoof, .bulk, .none]
        #expect(evaluations[1].disposition == (cleared.contains(given) ? Disposition.none : given))
        #expect(evaluations[1].acceptableSender && !evaluations[1].trustedSender)
        #expect(evaluations[2].disposition == Disposition.none)
        #expect(evaluations[2].trustedSender && evaluations[2].acceptableSender)
        #expect(evaluations[3].disposition == given)
    }

    @Test func withoutADispositionNoVerdictIsComputed() async throws {
        let evaluation = try await evaluate([.email("ann@example.com").trustedSender], [message(from: "ann@example.com")])[0]
        #expect(evaluation.trustedSender)
        #expect(evaluation.disposition == nil && evaluation.recipientDispositions == nil)
    }

    /// The decision that verification gates recipient exemptions too.
    @Test func verificationGatesRecipientExemptions() async throws {
        let policies: [TestPolicy] = [.email("ceo@corp.example").exemptRecipient.verified]
        let evaluations = try await evaluate(
            policies,
            [
                message(to: ["ceo@corp.example"], disposition: .malicious),
                message(to: ["ceo@corp.example"], dkim: .pass, disposition: .malicious),
            ])
        #expect(evaluations[0].exemptRecipients.isEmpty && evaluations[0].recipientDispositions == [.malicious])
        #expect(evaluations[1].exemptRecipients == [0] && evaluations[1].recipientDispositions == [Disposition.none])
    }

    @Test func aPolicyGrantingBothSidesMatchesEachSideForItsOwnGrant() async throws {
        let policy = TestPolicy.domain("corp.example").trustedSender.exemptRecipient
        let evaluation = try await evaluate([policy], [message(from: "a@corp.example", to: ["b@corp.example"])])[0]
        #expect(evaluation.matches.map(\.grants) == [[.trustedSender], [.exemptRecipient]])
    }
}
