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

    /// Every subject the engine matches, in subject order: each sender address (envelope_from,
    /// header_from, each reply_to; `index` counts them from 0), the host name, the client IP's
    /// text, each recipient (`index` is its position). `domain` is where the domain starts in
    /// `text`: 0 for the host name, the end for the IP. Sizing a chunk's buffers and filling
    /// them both go through here, so they cannot disagree.
    @inline(__always)
    func forEachSubject(_ body: (_ text: String, _ kind: SubjectSpan.Kind, _ index: Int, _ domain: Int) -> Void) {
        if let envelopeFrom { body(envelopeFrom.address, .sender, 0, envelopeFrom.domainOffset) }
        if let headerFrom { body(headerFrom.address, .sender, 1, headerFrom.domainOffset) }
        for index in replyTo.indices { body(replyTo[index].address, .sender, index + 2, replyTo[index].domainOffset) }
        if let clientHostname { body(clientHostname, .hostname, 0, 0) }
        if let clientIPText { body(clientIPText, .ip, 0, clientIPText.utf8.count) }
        for index in recipients.indices { body(recipients[index].address, .recipient, index, recipients[index].domainOffset) }
    }

    static func senderRole(_ index: Int) -> SubjectRole {
        switch index {
        case 0: .envelopeFrom
        case 1: .headerFrom
        default: .replyTo(index - 2)
        }
    }
}
