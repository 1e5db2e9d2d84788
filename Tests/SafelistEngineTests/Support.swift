import SafelistCore
import SafelistEngine
import SafelistTesting

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
