import SafelistCore
import SafelistEngine
import SafelistRegex

/// The engine's reference: the spec's matching rules written as plainly as possible, every
/// policy tested against every subject, each regex in its own Vectorscan database. Slow on
/// purpose (no tables, no filters, no batching), so that the optimised engine can be checked
/// against it: by the differential test on random corpora, and by the engine benchmark, which
/// also uses it as its naive baseline.
public struct ReferenceMatcher: Sendable {
    struct Literal: Sendable {
        let id: PolicyID
        let type: PatternType
        let key: String
        let block: IPBlock?
        let sender: Bool
        let recipient: Bool
    }

    struct Regex: Sendable {
        let id: PolicyID
        let type: PatternType
        let database: RegexDatabase
        let sender: Bool
        let recipient: Bool
    }

    let literals: [Literal]
    let regexes: [Regex]
    let scratch: ScratchPool

    public init(policies: [AllowPolicy]) {
        var literals: [Literal] = []
        var regexes: [Regex] = []
        for policy in policies {
            let sender = policy.isTrustedSender || policy.isAcceptableSender
            let recipient = policy.isExemptRecipient && policy.patternType != .ip
            if policy.isRegex {
                if let database = try? RegexDatabase(expressions: [WholeSubjectRegex.expression(policy.pattern)]) {
                    regexes.append(Regex(id: policy.id, type: policy.patternType, database: database, sender: sender, recipient: recipient))
                }
            } else {
                literals.append(
                    Literal(
                        id: policy.id, type: policy.patternType, key: policy.matchKey,
                        block: policy.patternType == .ip ? try? IPBlock.parse(policy.matchKey) : nil,
                        sender: sender, recipient: recipient))
            }
        }
        self.literals = literals
        self.regexes = regexes
        scratch = ScratchPool(databases: regexes.map(\.database))
    }

    /// Every policy that matches some subject of `message` on a side where it grants something.
    public func matches(_ message: MailMessage) -> Set<PolicyID> {
        let senders = [message.envelopeFrom].compactMap { $0 } + message.headerFrom.prefix(MailMessage.maximumHeaderFrom) + message.replyTo
        let senderDomains = senders.map { String($0.domain) } + (message.clientHostname.map { [$0] } ?? [])
        let recipients = message.recipients.map(\.address)
        let recipientDomains = message.recipients.map { String($0.domain) }
        var found = Set<PolicyID>()
        for policy in literals {
            switch policy.type {
            case .email:
                if policy.sender, senders.contains(where: { $0.address == policy.key }) { found.insert(policy.id) }
                if policy.recipient, recipients.contains(policy.key) { found.insert(policy.id) }
            case .domain:
                if policy.sender, senderDomains.contains(where: { Self.within($0, policy.key) }) { found.insert(policy.id) }
                if policy.recipient, recipientDomains.contains(where: { Self.within($0, policy.key) }) { found.insert(policy.id) }
            case .ip:
                if policy.sender, let ip = message.clientIP, let block = policy.block, block.contains(ip) { found.insert(policy.id) }
            case .unknown:
                break
            }
        }
        scratch.withScratch { scratch in
            guard let scratch else { return }
            var ids = MatchIDs()
            func any(_ subjects: [String], _ database: RegexDatabase) -> Bool {
                subjects.contains { subject in
                    ids.removeAll()
                    var text = subject
                    text.withUTF8 { database.scan(UnsafeRawBufferPointer($0), scratch: scratch, into: &ids) }
                    return !ids.isEmpty
                }
            }
            for regex in regexes {
                let (sender, recipient): ([String], [String]) =
                    switch regex.type {
                    case .email: (senders.map(\.address), recipients)
                    case .domain: (senderDomains, recipientDomains)
                    default: (message.clientIP.map { [$0.description] } ?? [], [])
                    }
                if (regex.sender && any(sender, regex.database)) || (regex.recipient && any(recipient, regex.database)) {
                    found.insert(regex.id)
                }
            }
        }
        return found
    }

    static func within(_ name: String, _ domain: String) -> Bool {
        name == domain || name.hasSuffix("." + domain)
    }
}

/// The addresses a header value lists, in matching form; none when it is not an address list.
public func headerAddresses(_ text: String) -> [EmailSubject] {
    ((try? AddressList.parse(text)) ?? []).compactMap { EmailSubject($0) }
}
