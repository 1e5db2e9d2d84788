import SafelistCore

/// The envelope of one message as the engine sees it (../shared/spec/engine-semantics.md), with
/// every name already in matching form: lowercase, no trailing dot, domains in ASCII.
public struct MailMessage: Sendable, Equatable {
    /// Empty for the null sender (`MAIL FROM:<>`).
    public let envelopeFrom: EmailSubject?
    public let headerFrom: EmailSubject?
    public let replyTo: [EmailSubject]
    public let recipients: [EmailSubject]
    public let clientIP: IPBlock?
    /// Canonical text of `clientIP`, what IP regexes are matched against; kept rather than
    /// formatted on every evaluation.
    public let clientIPText: String?
    public let clientHostname: String?
    public let auth: AuthResults
    public let disposition: Disposition?
    /// The subjects laid out for matching. The fields it is made from are constants, so it
    /// cannot fall out of step with them.
    let subjects: SubjectLayout

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
        subjects = SubjectLayout(envelopeFrom: envelopeFrom, headerFrom: headerFrom, replyTo: replyTo,
                                 clientHostname: clientHostname, clientIPText: clientIPText, recipients: recipients)
    }

    /// Equal envelopes; the layout follows from them.
    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.envelopeFrom == rhs.envelopeFrom && lhs.headerFrom == rhs.headerFrom && lhs.replyTo == rhs.replyTo
            && lhs.recipients == rhs.recipients && lhs.clientIP == rhs.clientIP && lhs.clientHostname == rhs.clientHostname
            && lhs.auth == rhs.auth && lhs.disposition == rhs.disposition
    }

    static func senderRole(_ index: Int) -> SubjectRole {
        switch index {
        case 0: .envelopeFrom
        case 1: .headerFrom
        default: .replyTo(index - 2)
        }
    }
}
