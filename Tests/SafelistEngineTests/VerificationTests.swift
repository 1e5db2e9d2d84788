import SafelistCore
import SafelistTesting
import Testing

@testable import SafelistEngine

/// One row of docs/engine-semantics.md, "Sender verification (bound to the identity that
/// matched)": a verify_sender policy, a message, and whether each match is honored.
struct VerificationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let policy: TestPolicy
    let message: MailMessage
    /// `subject: honored` for each match, in report order.
    let expected: [String]
    /// Words the first unhonored match's reason must contain.
    var reason: [String] = []
    var testDescription: String { name }
}

private func check(_ result: AuthResult, _ domain: String? = nil) -> AuthCheck { AuthCheck(result, domain: domain) }

private func mail(
    from: String? = "x@evil.example", header: String? = nil, replyTo: [String] = [], ip: String? = nil, host: String? = nil,
    to: [String] = ["ceo@corp.example"], spf: [AuthCheck] = [], dkim: [AuthCheck] = [], dmarc: [AuthCheck] = []
) -> MailMessage {
    MailMessage(
        envelopeFrom: from.flatMap { EmailSubject($0) }, headerFrom: header.map(headerAddresses) ?? [],
        replyTo: replyTo.flatMap(headerAddresses), recipients: to.compactMap { EmailSubject($0) },
        clientIP: ip.flatMap { try? IPBlock.parse($0) }, clientHostname: host.flatMap(MatchingName.normalize),
        auth: AuthResults(spf: spf, dkim: dkim, dmarc: dmarc), disposition: .malicious)
}

@Suite("Sender verification: bound to the identity that matched")
struct VerificationTests {
    static let partner = TestPolicy.domain("partner.example").trustedSender.verified

    static let cases: [VerificationCase] = [
        // The spoofs: the attacker's own domain passes SPF; the partner's name is borrowed.
        .init(
            name: "spoof: SPF passes for the attacker's domain, From: is the partner's",
            policy: partner, message: mail(header: "bob@partner.example", spf: [check(.pass, "evil.example")], dmarc: [check(.fail)]),
            expected: ["header_from[0]: false"],
            reason: ["header_from[0] partner.example", "SPF pass is for evil.example, not aligned", "no DKIM signature", "DMARC fail"]),
        .init(
            name: "spoof: the partner only in Reply-To:",
            policy: partner, message: mail(header: "x@evil.example", replyTo: ["bob@partner.example"], spf: [check(.pass)], dmarc: [check(.pass)]),
            expected: ["reply_to[0]: false"], reason: ["reply_to[0] partner.example", "SPF pass is for evil.example, not aligned"]),
        .init(
            name: "spoof: the partner's address inside a comment is no address",
            policy: partner, message: mail(header: "x@evil.example (<bob@partner.example>)", spf: [check(.pass)], dmarc: [check(.pass)]),
            expected: []),
        .init(
            name: "plain SPF pass authenticates the envelope sender's domain, not From:",
            policy: partner, message: mail(header: "bob@partner.example", spf: [check(.pass)]),
            expected: ["header_from[0]: false"]),

        // Aligned results are honored.
        .init(
            name: "SPF pass for a subdomain of the partner aligns (relaxed)",
            policy: partner,
            message: mail(from: "bounce@mail.partner.example", header: "bob@partner.example", spf: [check(.pass, "bounce.partner.example")]),
            expected: ["envelope_from: true", "header_from[0]: true"]),
        .init(
            name: "plain SPF pass on the partner's own envelope sender",
            policy: partner, message: mail(from: "bounce@partner.example", spf: [check(.pass)]),
            expected: ["envelope_from: true"]),
        .init(
            name: "one aligned DKIM signature among unaligned ones",
            policy: partner,
            message: mail(
                header: "bob@partner.example", dkim: [check(.pass, "esp.example"), check(.fail, "partner.example"), check(.pass, "partner.example")]),
            expected: ["header_from[0]: true"]),
        .init(
            name: "only unaligned DKIM signatures",
            policy: partner, message: mail(header: "bob@partner.example", dkim: [check(.pass, "esp.example"), check(.fail, "partner.example")]),
            expected: ["header_from[0]: false"], reason: ["DKIM pass is for esp.example, not aligned", "DKIM fail for partner.example"]),
        .init(
            name: "a plain DKIM pass names no domain: no address is authenticated",
            policy: partner, message: mail(header: "bob@partner.example", dkim: [check(.pass)]),
            expected: ["header_from[0]: false"], reason: ["DKIM pass names no domain"]),
        .init(
            name: "DMARC object for the partner",
            policy: partner, message: mail(header: "bob@partner.example", dmarc: [check(.pass, "partner.example")]),
            expected: ["header_from[0]: true"]),
        .init(
            name: "plain DMARC pass authenticates the From domain",
            policy: partner, message: mail(header: "\"Bob, CFO\" <bob@partner.example>", dmarc: [check(.pass)]),
            expected: ["header_from[0]: true"]),
        .init(
            name: "plain DMARC pass does not authenticate the envelope sender's domain",
            policy: partner, message: mail(from: "bounce@partner.example", header: "x@evil.example", dmarc: [check(.pass)]),
            expected: ["envelope_from: false"], reason: ["DMARC pass is for evil.example, not aligned"]),
        .init(
            name: "the null sender's SPF is the HELO name's",
            policy: partner, message: mail(from: nil, header: "bob@partner.example", host: "mx.partner.example", spf: [check(.pass)]),
            expected: ["header_from[0]: true", "client_hostname: true"]),

        // Public suffixes, ICANN and private.
        .init(
            name: "siblings under co.uk are not aligned",
            policy: .domain("victim.co.uk").trustedSender.verified,
            message: mail(header: "ceo@victim.co.uk", spf: [check(.pass, "attacker.co.uk")], dkim: [check(.pass, "attacker.co.uk")]),
            expected: ["header_from[0]: false"]),
        .init(
            name: "a subdomain under co.uk is aligned with its registrable domain",
            policy: .domain("victim.co.uk").trustedSender.verified,
            message: mail(header: "ceo@victim.co.uk", dkim: [check(.pass, "mail.victim.co.uk")]),
            expected: ["header_from[0]: true"]),
        .init(
            name: "siblings under a private suffix (github.io) are not aligned",
            policy: .domain("victim.github.io").trustedSender.verified,
            message: mail(header: "ceo@victim.github.io", dkim: [check(.pass, "attacker.github.io")]),
            expected: ["header_from[0]: false"]),
        .init(
            name: "an internationalised domain aligns in its ASCII form",
            policy: .domain("bücher.example").trustedSender.verified,
            message: mail(header: "Info <info@Bücher.example>", dkim: [check(.pass, "xn--bcher-kva.example")]),
            expected: ["header_from[0]: true"]),

        // The connection and recipients keep the message-as-a-whole test.
        .init(
            name: "a client IP match is honored by any pass",
            policy: .ip("203.0.113.0/24").trustedSender.verified, message: mail(ip: "203.0.113.9", dkim: [check(.pass, "anything.example")]),
            expected: ["client_ip: true"]),
        .init(
            name: "a client IP match with no pass",
            policy: .ip("203.0.113.0/24").trustedSender.verified, message: mail(ip: "203.0.113.9", spf: [check(.fail)]),
            expected: ["client_ip: false"], reason: ["client_ip: the message passed none of SPF, DKIM or DMARC", "SPF fail"]),
        .init(
            name: "a recipient exemption is honored by any pass",
            policy: TestPolicy.email("ceo@corp.example").exemptRecipient.verified, message: mail(spf: [check(.pass, "evil.example")]),
            expected: ["recipients[0]: true"]),

        // Addresses as mail carries them.
        .init(
            name: "every address of a From: list is a subject",
            policy: partner, message: mail(header: "a@other.example, \"B\" <b@partner.example>", dmarc: [check(.pass, "partner.example")]),
            expected: ["header_from[1]: true"]),
        .init(
            name: "groups give their members; an empty group gives none",
            policy: partner,
            message: mail(header: "Undisclosed recipients:;, Team: a@x.example, b@partner.example;", dkim: [check(.pass, "partner.example")]),
            expected: ["header_from[1]: true"]),
        .init(
            name: "a quoted local part and an obsolete route",
            policy: partner,
            message: mail(header: "\"b o b\"@partner.example, <@relay.example:carol@partner.example>", dkim: [check(.pass, "partner.example")]),
            expected: ["header_from[0]: true", "header_from[1]: true"]),
        .init(
            name: "an encoded word in a display name",
            policy: partner, message: mail(header: "=?utf-8?q?Bob_=C3=A9?= <bob@partner.example>", dkim: [check(.pass, "partner.example")]),
            expected: ["header_from[0]: true"]),
    ]

    @Test(arguments: cases)
    func row(_ row: VerificationCase) async throws {
        let evaluation = try await evaluate([row.policy], [row.message])[0]
        #expect(evaluation.matches.map { "\($0.role.label): \($0.honored)" } == row.expected)
        if let refused = evaluation.matches.first(where: { !$0.honored }) {
            let reason = refused.reason(in: row.message)
            for words in row.reason { #expect(reason?.contains(words) == true, "\(reason ?? "no reason")") }
        }
        // What is not honored grants nothing: a MALICIOUS verdict stays.
        if evaluation.matches.allSatisfy({ !$0.honored }) { #expect(evaluation.disposition == .malicious) }
    }

    @Test func theSystemListIsRead() {
        #expect(PublicSuffixList.system.isLoaded, "install Debian's publicsuffix package")
        #expect(PublicSuffixList.system.organizationalDomain(of: "a.b.victim.co.uk") == "victim.co.uk")
        #expect(PublicSuffixList.system.organizationalDomain(of: "co.uk") == nil)
        #expect(PublicSuffixList.system.organizationalDomain(of: "x.victim.github.io") == "victim.github.io")
        #expect(PublicSuffixList.system.organizationalDomain(of: "mail.partner.example") == "partner.example")
    }

    /// The list's own wildcard and exception rules, from a small list.
    @Test func wildcardsAndExceptions() {
        let list = PublicSuffixList(text: "ck\n*.ck\n!www.ck\ncom\n公司.cn\ncn\n")
        #expect(list.organizationalDomain(of: "a.b.ck") == "a.b.ck")
        #expect(list.organizationalDomain(of: "b.ck") == nil)
        #expect(list.organizationalDomain(of: "www.ck") == "www.ck")
        #expect(list.organizationalDomain(of: "x.www.ck") == "www.ck")
        #expect(list.organizationalDomain(of: "shop.example.com") == "example.com")
        #expect(list.organizationalDomain(of: "a.b.xn--55qx5d.cn") == "b.xn--55qx5d.cn")
        #expect(!PublicSuffixList(text: "").aligned("a.example.com", "b.example.com"))
    }
}

@Suite("Authentication-Results: read from trusted authserv-ids only")
struct AuthenticationResultsTests {
    let trusted: Set<String> = ["mx.corp.example"]

    @Test func aTypicalHeaderWithCommentsAndQuotedValues() throws {
        let header = try AuthenticationResultsHeader.parse(
            """
            Authentication-Results: MX.Corp.Example. (Postfix) 1; dkim=pass (2048-bit key; unprotected) header.d="partner.example" \
            header.i=@partner.example header.s=sel header.b="abc"; spf=pass (mx.corp.example: domain of bounce@partner.example designates \
            192.0.2.1 as permitted sender) smtp.mailfrom=bounce@partner.example smtp.helo=mx.partner.example; \
            dmarc=fail reason="policy (p=reject)" (p=reject dis=none) header.from=partner.example; arc=none
            """)
        #expect(header.authservID == "mx.corp.example")
        #expect(header.results.map { "\($0.method)=\($0.result)" } == ["dkim=pass", "spf=pass", "dmarc=fail", "arc=none"])
        #expect(header.results[0].properties["header.d"] == "partner.example")
        #expect(header.results[1].properties["smtp.mailfrom"] == "bounce@partner.example")
        #expect(header.results[2].properties["header.from"] == "partner.example")
    }

    @Test func trustedResultsAreReadAndOthersIgnoredAndSaid() {
        let reading = TrustedAuthentication.read(
            [
                "mx.corp.example; spf=pass smtp.mailfrom=bounce@partner.example; dkim=pass header.i=@Partner.Example",
                "evil.example; dmarc=pass header.from=partner.example",
                "mx.corp.example; spf",
                "mx.corp.example; spf=pass smtp.mailfrom=<>; smtp.helo=mx.partner.example",
            ], trusted: trusted)
        #expect(reading.results.spf == [AuthCheck(.pass, domain: "partner.example")])
        #expect(reading.results.dkim == [AuthCheck(.pass, domain: "partner.example")])
        #expect(reading.results.dmarc.isEmpty)
        #expect(reading.notes.map(\.index) == [1, 2, 3])
        #expect(reading.notes[0].message.contains("not trusted"))
        #expect(reading.notes[1].message.contains("could not be read"))
    }

    @Test func theNullSendersSPFIsTheHELOName() {
        let reading = TrustedAuthentication.read(["mx.corp.example; spf=pass smtp.mailfrom=<> smtp.helo=mx.partner.example"], trusted: trusted)
        #expect(reading.results.spf == [AuthCheck(.pass, domain: "mx.partner.example")])
    }

    /// A forged copy under the trusted id, beside the real one that says fail, is no pass.
    @Test func forgedDuplicatesThatContradictAreNotAPass() async throws {
        let reading = TrustedAuthentication.read(
            [
                "mx.corp.example; dmarc=fail header.from=partner.example",
                "mx.corp.example; dmarc=pass header.from=partner.example",
            ], trusted: trusted)
        #expect(reading.results.dmarc == [AuthCheck(.fail, domain: "partner.example")])
        #expect(reading.notes.contains { $0.message.contains("disagree") })
        var message = mail(header: "bob@partner.example")
        message.auth = reading.results
        let evaluation = try await evaluate([VerificationTests.partner], [message])[0]
        #expect(evaluation.matches.map(\.honored) == [false])
    }
}

@Suite("Addresses as mail carries them")
struct AddressListTests {
    @Test(arguments: [
        ("\"Bob, CFO\" <bob@partner.example>", ["bob@partner.example"]),
        ("x@evil.example (<bob@partner.example>)", ["x@evil.example"]),
        ("(comment (nested <a@b.example>)) x@evil.example", ["x@evil.example"]),
        ("Undisclosed recipients:;", []),
        ("a@x.example, b@y.example,, c@z.example", ["a@x.example", "b@y.example", "c@z.example"]),
        ("Team: \"Ann\" <ann@x.example>, bob@x.example; , carol@y.example", ["ann@x.example", "bob@x.example", "carol@y.example"]),
        ("\"bob\"@partner.example", ["bob@partner.example"]),
        ("\"b.o b\"@partner.example", ["\"b.o b\"@partner.example"]),
        ("<@relay1.example,@relay2.example:bob@partner.example>", ["bob@partner.example"]),
        ("John . Q . Public <john . q . public @ example . com>", ["john.q.public@example.com"]),
        ("=?utf-8?b?Qm9i?= <bob@partner.example>", ["bob@partner.example"]),
        ("Zoë <zoë@bücher.example>", ["zoë@bücher.example"]),
        ("a@[192.0.2.1]", ["a@[192.0.2.1]"]),
    ])
    func parses(_ text: String, _ expected: [String]) throws {
        #expect(try AddressList.parse(text) == expected)
    }

    /// The shortcut for a bare `local@domain` answers exactly what the full parse does, and
    /// declines everything else.
    @Test(arguments: [
        "bob@partner.example", "a.b.c@x.example", "o'brien+tag@x-y.example", "a@b", "!#$%&'*+-/=?^_`{|}~@x.example",
        ".a@x.example", "a.@x.example", "a..b@x.example", "a@.x.example", "a@x..example", "a@x.example.", "@x.example", "a@",
        "a@b@c", "bob", "", "zoë@x.example", "a b@x.example", "\"a\"@x.example", "a@[192.0.2.1]", "a@x.example,b@y.example",
    ])
    func theShortcutAgreesWithTheFullParse(_ text: String) {
        let full = try? AddressList.parseFully(text)
        if let plain = AddressList.plainAddress(text) {
            #expect(full == [plain], "\(text)")
        }
        #expect((try? AddressList.parse(text)) == full, "\(text)")
    }

    @Test(arguments: [
        "bob", "<bob@x.example", "a@b.example c@d.example", "\"unterminated@x.example", "a@", "(open comment a@b.example", "Team: a@b.example",
    ])
    func refuses(_ text: String) {
        #expect(throws: AddressList.Problem.self) { try AddressList.parse(text) }
    }

    @Test func smtpPaths() {
        #expect(AddressList.smtpPath("<bob@partner.example>") == "bob@partner.example")
        #expect(AddressList.smtpPath("  bob@partner.example ") == "bob@partner.example")
        #expect(AddressList.smtpPath("<>") == "")
        #expect(AddressList.smtpPath("<@relay.example:bob@partner.example>") == "bob@partner.example")
        #expect(AddressList.smtpPath("<bob@partner.example") == nil)
        #expect(AddressList.smtpPath("Bob <bob@partner.example>") == nil)
    }
}
