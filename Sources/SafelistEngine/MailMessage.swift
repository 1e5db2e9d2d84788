import SafelistCore

/// The envelope of one message as the engine sees it (../shared/spec/engine-semantics.md), with
/// every name already in matching form: lowercase, no trailing dot, domains in ASCII.
public struct MailMessage: Sendable, Equatable {
    /// Empty for the null sender (`MAIL FROM:<>`).
    public var envelopeFrom: EmailSubject?
    public var headerFrom: EmailSubject?
    public var replyTo: [EmailSubject]
    public var recipients: [EmailSubject]
    public var clientIP: IPBlock? {
        didSet { clientIPText = clientIP?.description }
    }
    /// Canonical text of `clientIP`, what IP regexes are matched against; kept rather than
    /// formatted on every evaluation.
    public private(set) var clientIPText: String?
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
        clientIPText = clientIP?.description
        self.clientHostname = clientHostname
        self.auth = auth
        self.disposition = disposition
    }

    /// The sender addresses in subject order: envelope_from, header_from, then each reply_to.
    var senderCount: Int { 2 + replyTo.count }

    func sender(_ index: Int) -> EmailSubject? {
        switch index {
        case 0: envelopeFrom
        case 1: headerFrom
        default: replyTo[index - 2]
        }
    }

    static func senderRole(_ index: Int) -> SubjectRole {
        switch index {
        case 0: .envelopeFrom
        case 1: .headerFrom
        default: .replyTo(index - 2)
        }
    }
}
