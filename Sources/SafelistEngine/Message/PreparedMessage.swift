import SafelistCore

/// A message ready to be matched: the message, and its subjects laid out once for the engine
/// (`SubjectLayout`). Made by whoever parses messages, once each, so that evaluating a batch
/// reads bytes already in place; the layout is the engine's own business.
public struct PreparedMessage: Sendable {
    public let message: MailMessage
    /// Canonical text of the client IP, what IP regexes see; formatted once here.
    let clientIPText: String?
    let layout: SubjectLayout

    public init(_ message: MailMessage) {
        self.message = message
        clientIPText = message.clientIP?.description
        layout = SubjectLayout(
            envelopeFrom: message.envelopeFrom, headerFrom: message.headerFrom, replyTo: message.replyTo,
            clientHostname: message.clientHostname, clientIPText: clientIPText, recipients: message.recipients)
    }
}
