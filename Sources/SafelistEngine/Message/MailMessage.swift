import SafelistCore

/// The envelope of one message as the engine sees it (docs/engine-semantics.md), with every
/// name already in matching form: lowercase, no trailing dot, domains in ASCII. A plain value:
/// what the engine matches is a `PreparedMessage` made from it.
public struct MailMessage: Sendable, Equatable {
    /// Empty for the null sender (`MAIL FROM:<>`).
    public var envelopeFrom: EmailSubject?
    /// Every address the `From:` header lists (usually one).
    public var headerFrom: [EmailSubject]
    /// Every address the `Reply-To:` headers list.
    public var replyTo: [EmailSubject]
    public var recipients: [EmailSubject]
    public var clientIP: IPBlock?
    public var clientHostname: String?
    public var auth: AuthResults
    public var disposition: Disposition?

    public init(
        envelopeFrom: EmailSubject?, headerFrom: [EmailSubject] = [], replyTo: [EmailSubject] = [],
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

    /// At most this many `From:` addresses are matched: sender indices 1 to 31 are theirs.
    public static let maximumHeaderFrom = 31

    /// The index a sender subject has in a layout: 0 for envelope_from, 1 to 31 for each
    /// header_from, 32 on for each reply_to (the first 64 fold into one span when equal).
    static func senderIndex(headerFrom position: Int) -> Int { 1 + position }
    static func senderIndex(replyTo position: Int) -> Int { 32 + position }

    static func senderRole(_ index: Int) -> SubjectRole {
        switch index {
        case 0: .envelopeFrom
        case 1...maximumHeaderFrom: .headerFrom(index - 1)
        default: .replyTo(index - 32)
        }
    }
}
