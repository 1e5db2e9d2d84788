import SafelistCore

/// The envelope of one message as the engine sees it (docs/engine-semantics.md), with every
/// name already in matching form: lowercase, no trailing dot, domains in ASCII. A plain value:
/// what the engine matches is a `PreparedMessage` made from it.
public struct MailMessage: Sendable, Equatable {
    /// Empty for the null sender (`MAIL FROM:<>`).
    public var envelopeFrom: EmailSubject?
    public var headerFrom: EmailSubject?
    public var replyTo: [EmailSubject]
    public var recipients: [EmailSubject]
    public var clientIP: IPBlock?
    public var clientHostname: String?
    public var auth: AuthResults
    public var disposition: Disposition?

    public init(
        envelopeFrom: EmailSubject?, headerFrom: EmailSubject? = nil, replyTo: [EmailSubject] = [],
        recipients: [EmailSubject], clientIP: IPBlock? = nil, clientHostname: String? = nil,
        auth: AuthResults = .init(), disposition: Disposition? = nil
    ) {
        self.envelopeFrom = envelopeFrom
        self.headerFrom = headerFrom
        self.replyTo = replyTo
        self.recipients = recipients
        self.clientIP = clientIP
        self.clientHostname = clientHostname
        self.auth = auth
        self.disposition = disposition
    }

    /// The sender subject at `index`: envelope_from, header_from, then each reply_to.
    static func senderRole(_ index: Int) -> SubjectRole {
        switch index {
        case 0: .envelopeFrom
        case 1: .headerFrom
        default: .replyTo(index - 2)
        }
    }
}
