import SafelistCore
import SafelistEngine

/// One policy connection's decisions (docs/mail.md, "The SMTP stage"). At RCPT, what Postfix
/// knows then is evaluated: the client, the envelope sender, this recipient, and no
/// authentication result, so a `verify_sender` policy is never honoured here. A trusted sender
/// or an exempt recipient answers the permit action, anything else `DUNNO`; every other stage
/// `DUNNO`. Recipients of one transaction (one `instance`) whose class differs from the first's
/// are deferred, so that each queued copy has one class.
struct PolicyConversation {
    let options: MailOptions
    private var instance: String?
    private var firstRecipientPermitted: Bool?

    init(options: MailOptions) {
        self.options = options
    }

    struct Answer: Sendable {
        var action: String
        /// What was decided and why, for the log line.
        var evaluation: Evaluation?
        var message: MailMessage?
    }

    static let deferMixed = "DEFER_IF_PERMIT 4.5.3 Recipients with different filtering go in another transaction; try again"

    mutating func answer(_ request: PolicyRequest, evaluate: (MailMessage) async -> Evaluation?) async throws(PolicyProtocolError) -> Answer {
        guard request["request"] == "smtpd_access_policy" else { throw .notAPolicyRequest }
        guard request["protocol_state"]?.uppercased() == "RCPT" else { return Answer(action: "DUNNO") }
        if request["instance"] != instance {
            instance = request["instance"]
            firstRecipientPermitted = nil
        }
        guard let message = Self.message(of: request) else { return Answer(action: "DUNNO") }
        guard let evaluation = await evaluate(message) else { return Answer(action: "DUNNO", message: message) }
        let permitted = evaluation.trustedSender || evaluation.exemptRecipients.contains(0)
        if options.splitMixedRecipients, let first = firstRecipientPermitted, first != permitted {
            return Answer(action: Self.deferMixed, evaluation: evaluation, message: message)
        }
        if firstRecipientPermitted == nil { firstRecipientPermitted = permitted }
        return Answer(action: permitted ? options.permitAction : "DUNNO", evaluation: evaluation, message: message)
    }

    /// The message as far as RCPT knows it; nil without a usable recipient.
    static func message(of request: PolicyRequest) -> MailMessage? {
        guard let recipient = ConnectionFacts.address(request.value("recipient")) else { return nil }
        return MailMessage(
            envelopeFrom: ConnectionFacts.address(request.value("sender")), recipients: [recipient],
            clientIP: ConnectionFacts.ip(request.value("client_address")),
            clientHostname: ConnectionFacts.hostname(request.value("client_name")))
    }
}
