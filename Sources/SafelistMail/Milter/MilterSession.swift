import SafelistEngine

/// One milter connection's conversation (docs/mail.md, "The end-of-message stage"): option
/// negotiation, then any number of SMTP connections and messages. It gathers what a message's
/// evaluation needs (client, envelope, `From:`, `Reply-To:`, trusted `Authentication-Results`)
/// and, at its end, strips incoming `X-Safelist-*` headers and adds one `X-Safelist-Verdict`.
/// Knows no sockets: it turns commands into replies, so every protocol rule is testable alone.
struct MilterSession {
    let options: MailOptions
    private(set) var negotiated: (actions: MilterActions, steps: MilterSteps)?
    private var client = Client()
    private(set) var envelope = Envelope()
    /// Macros by name, as last sent (`i`, `j`, `{client_addr}`, `{rcpt_addr}`…).
    private(set) var macros: [String: String] = [:]

    /// The connecting client. HELO is not kept: anyone can claim any name in it.
    struct Client {
        var address: String?
        var hostname: String?
    }

    /// One message's inputs, from MAIL to its end.
    struct Envelope {
        var sender: String?
        var recipients: [String] = []
        var from: [String] = []
        var replyTo: [String] = []
        var authenticationResults: [String] = []
        /// Every `X-Safelist-*` header seen, by lowercase name: how many of that name.
        var safelistHeaders: [String: (name: String, count: Int)] = [:]
    }

    /// A message keeps at most this many headers of each kind it reads; more are ignored.
    static let maximumHeadersKept = 1000

    init(options: MailOptions) {
        self.options = options
    }

    /// What to do with a command: the replies to send now, or the message to evaluate (its end).
    enum Step: Equatable {
        case reply([MilterReply])
        case evaluate
        case close
    }

    mutating func step(_ command: MilterCommand) throws(MilterProtocolError) -> Step {
        if case .negotiate(let version, let actions, let steps) = command {
            guard version >= 2 else { throw .unsupportedVersion(version) }
            let agreed = (actions: actions.intersection([.addHeaders, .changeHeaders]), steps: steps.intersection(.wanted))
            negotiated = agreed
            return .reply([.negotiate(version: min(version, 6), actions: agreed.actions, steps: agreed.steps)])
        }
        guard let negotiated else { throw .beforeNegotiation }
        func answer(unless silent: MilterSteps) -> Step { .reply(negotiated.steps.contains(silent) ? [] : [.continue]) }
        switch command {
        case .negotiate:
            return .reply([])
        case .macros(_, let values):
            macros.merge(values) { _, new in new }
            return .reply([])
        case .connect(let hostname, let address):
            client = Client(address: address, hostname: hostname)
            envelope = Envelope()
            return answer(unless: .noReplyToConnect)
        case .helo:
            return answer(unless: .noReplyToHelo)
        case .mail(let arguments):
            envelope = Envelope()
            envelope.sender = arguments.first
            return answer(unless: .noReplyToMail)
        case .recipient(let arguments):
            if let recipient = arguments.first, envelope.recipients.count < AddressList.maximumAddresses {
                envelope.recipients.append(recipient)
            }
            return answer(unless: .noReplyToRecipient)
        case .data:
            return answer(unless: .noReplyToData)
        case .header(let name, let value):
            read(header: name, value)
            return answer(unless: .noReplyToHeaders)
        case .endOfHeaders:
            return answer(unless: .noReplyToEndOfHeaders)
        case .body:
            return answer(unless: .noReplyToBody)
        case .unknown:
            return answer(unless: .noReplyToUnknown)
        case .endOfMessage:
            return .evaluate
        case .abort:
            envelope = Envelope()
            return .reply([])
        case .quitNewConnection:
            client = Client()
            envelope = Envelope()
            macros = [:]
            return .reply([])
        case .quit:
            return .close
        }
    }

    private mutating func read(header name: String, _ value: String) {
        let lowercased = name.lowercased()
        // Folded lines arrive with their line breaks; a header value is one line here.
        let unfolded = value.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r" || $0 == "\n" })
            .joined(separator: " ").trimmingASCIISpaces
        switch lowercased {
        case "from" where envelope.from.count < Self.maximumHeadersKept: envelope.from.append(unfolded)
        case "reply-to" where envelope.replyTo.count < Self.maximumHeadersKept: envelope.replyTo.append(unfolded)
        case "authentication-results" where envelope.authenticationResults.count < Self.maximumHeadersKept:
            envelope.authenticationResults.append(unfolded)
        default:
            if lowercased.hasPrefix("x-safelist-") {
                envelope.safelistHeaders[lowercased, default: (name, 0)].count += 1
            }
        }
    }

    /// The message that ended, in matching form, and what reading its headers noticed.
    func message() -> (message: MailMessage, notes: [String]) {
        var notes: [String] = []
        func addresses(_ values: [String], _ header: String) -> [EmailSubject] {
            var subjects: [EmailSubject] = []
            for value in values {
                do {
                    subjects += try AddressList.parse(value).compactMap(EmailSubject.init)
                } catch {
                    notes.append("\(header) header ignored: \(error.reason)")
                }
            }
            return subjects
        }
        let reading = TrustedAuthentication.read(envelope.authenticationResults, trusted: options.trustedAuthservIDs)
        notes += reading.notes.map(\.message)
        let address = macros["{client_addr}"] ?? client.address
        let message = MailMessage(
            envelopeFrom: ConnectionFacts.address(envelope.sender), headerFrom: addresses(envelope.from, "From"),
            replyTo: addresses(envelope.replyTo, "Reply-To"), recipients: envelope.recipients.compactMap(ConnectionFacts.address),
            clientIP: ConnectionFacts.ip(address), clientHostname: ConnectionFacts.hostname(client.hostname), auth: reading.results)
        return (message, notes)
    }

    /// The end of the message's replies: the incoming `X-Safelist-*` headers deleted (last
    /// first, so each index still names the header it did), the verdict added when there is one
    /// and the MTA allows it, then continue. The message's state is reset for the next one.
    mutating func finish(verdict: String?) -> [MilterReply] {
        var replies: [MilterReply] = []
        if negotiated?.actions.contains(.changeHeaders) == true {
            for (_, header) in envelope.safelistHeaders.sorted(by: { $0.key < $1.key }) {
                for index in stride(from: header.count, through: 1, by: -1) {
                    replies.append(.changeHeader(index: UInt32(index), name: header.name, value: ""))
                }
            }
        }
        if let verdict, negotiated?.actions.contains(.addHeaders) == true {
            replies.append(.addHeader(name: VerdictHeader.name, value: verdict))
        }
        replies.append(.continue)
        envelope = Envelope()
        return replies
    }
}
