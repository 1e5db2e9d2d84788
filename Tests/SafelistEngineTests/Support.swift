import SafelistCore
import SafelistEngine
import SafelistTesting

/// A policy for a test: pattern, type, what it grants.
struct TestPolicy: Sendable, CustomStringConvertible {
    var pattern: String
    var type: PatternType
    var regex = false
    var trusted = false
    var acceptable = false
    var exempt = false
    var verify = false

    static func email(_ pattern: String, regex: Bool = false) -> TestPolicy { TestPolicy(pattern: pattern, type: .email, regex: regex) }
    static func domain(_ pattern: String, regex: Bool = false) -> TestPolicy { TestPolicy(pattern: pattern, type: .domain, regex: regex) }
    static func ip(_ pattern: String, regex: Bool = false) -> TestPolicy { TestPolicy(pattern: pattern, type: .ip, regex: regex) }

    var trustedSender: TestPolicy { var copy = self; copy.trusted = true; return copy }
    var acceptableSender: TestPolicy { var copy = self; copy.acceptable = true; return copy }
    var exemptRecipient: TestPolicy { var copy = self; copy.exempt = true; return copy }
    var verified: TestPolicy { var copy = self; copy.verify = true; return copy }

    var fields: PolicyFields {
        get throws {
            PolicyFields(
                pattern: try PatternValidator.validate(pattern, type: type, isRegex: regex), patternType: type,
                isRegex: regex, isTrustedSender: trusted, isExemptRecipient: exempt,
                isAcceptableSender: acceptable, verifySender: verify, comments: nil)
        }
    }

    var description: String { "\(type.rawValue)\(regex ? " regex" : "") \(pattern)" }
}

/// Builds a message the way the API does, from raw text.
func message(
    from: String? = "someone@elsewhere.example", header: String? = nil, replyTo: [String] = [],
    to: [String] = ["rcpt@inbound.example"], ip: String? = nil, host: String? = nil,
    spf: AuthResult = .none, dkim: AuthResult = .none, dmarc: AuthResult = .none, disposition: Disposition? = nil
) -> MailMessage {
    MailMessage(
        envelopeFrom: from.flatMap { EmailSubject($0) }, headerFrom: header.map(headerAddresses) ?? [],
        replyTo: replyTo.flatMap(headerAddresses), recipients: to.compactMap { EmailSubject($0) },
        clientIP: ip.flatMap { try? IPBlock.parse($0) }, clientHostname: host.flatMap(MatchingName.normalize),
        auth: AuthResults(spf: spf, dkim: dkim, dmarc: dmarc), disposition: disposition)
}

/// Writes the policies into a fresh store of `kind`, then evaluates through a new engine over it.
func evaluate(_ policies: [TestPolicy], _ messages: [MailMessage], on kind: StoreKind = .sqlite) async throws -> [Evaluation] {
    try await kind.withStore { store in
        for policy in policies { _ = try await store.create(account: account, fields: policy.fields) }
        return try await PolicyEngine(feed: store).evaluate(account: account, messages: messages.map(PreparedMessage.init))
    }
}

extension Evaluation {
    /// `pattern <- subject` for each match, honored or not, in report order.
    var matched: [String] {
        matches.map { "\($0.policy.pattern) <- \($0.role.name)\($0.role.index.map { "[\($0)]" } ?? "")" }
    }
}

/// Tests speak of messages; the engine matches them prepared.
extension PolicyEngine {
    func evaluate(account: AccountID, messages: [MailMessage]) async throws -> [Evaluation] {
        try await evaluate(account: account, messages: messages.map(PreparedMessage.init))
    }
}

extension MatcherSnapshot {
    func evaluate(_ message: MailMessage) -> Evaluation { evaluate(PreparedMessage(message)) }
}
