import Foundation
import SafelistCore
import SafelistEngine
import SafelistRegex

/// The naive engine the benchmark compares against, and the reference for the engine's answers:
/// every policy tested against every subject, each regex in its own Vectorscan database.
struct LinearScan {
    struct Literal {
        let uuid: UUID
        let type: PatternType
        let key: String
        let block: IPBlock?
        let sender: Bool
        let recipient: Bool
    }

    let literals: [Literal]
    let regexes: [(uuid: UUID, type: PatternType, database: RegexDatabase, sender: Bool, recipient: Bool)]
    let scratch: ScratchPool

    init(policies: [AllowPolicy]) {
        var literals: [Literal] = []
        var regexes: [(uuid: UUID, type: PatternType, database: RegexDatabase, sender: Bool, recipient: Bool)] = []
        for policy in policies {
            let uuid = UUID(uuidString: policy.id.rawValue) ?? UUID()
            let sender = policy.isTrustedSender || policy.isAcceptableSender
            let recipient = policy.isExemptRecipient && policy.patternType != .ip
            if policy.isRegex {
                if let database = try? RegexDatabase(expressions: [WholeSubjectRegex.expression(policy.pattern)]) {
                    regexes.append((uuid, policy.patternType, database, sender, recipient))
                }
            } else {
                literals.append(Literal(uuid: uuid, type: policy.patternType, key: policy.matchKey,
                                        block: policy.patternType == .ip ? try? IPBlock.parse(policy.matchKey) : nil,
                                        sender: sender, recipient: recipient))
            }
        }
        self.literals = literals
        self.regexes = regexes
        scratch = ScratchPool(databases: regexes.map(\.database))
    }

    func matches(_ message: MailMessage) -> Set<UUID> {
        let senders = [message.envelopeFrom, message.headerFrom].compactMap { $0 } + message.replyTo
        let senderDomains = senders.map { String($0.domain) } + (message.clientHostname.map { [$0] } ?? [])
        let recipients = message.recipients.map(\.address)
        let recipientDomains = message.recipients.map { String($0.domain) }
        var found = Set<UUID>()
        for policy in literals {
            switch policy.type {
            case .email:
                if policy.sender, senders.contains(where: { $0.address == policy.key }) { found.insert(policy.uuid) }
                if policy.recipient, recipients.contains(policy.key) { found.insert(policy.uuid) }
            case .domain:
                if policy.sender, senderDomains.contains(where: { Self.within($0, policy.key) }) { found.insert(policy.uuid) }
                if policy.recipient, recipientDomains.contains(where: { Self.within($0, policy.key) }) { found.insert(policy.uuid) }
            case .ip:
                if policy.sender, let ip = message.clientIP, let block = policy.block, block.contains(ip) { found.insert(policy.uuid) }
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
                    subject.utf8.withContiguousStorageIfAvailable { database.scan(UnsafeRawBufferPointer($0), scratch: scratch, into: &ids) }
                    return !ids.isEmpty
                }
            }
            for regex in regexes {
                let (sender, recipient): ([String], [String]) = switch regex.type {
                case .email: (senders.map(\.address), recipients)
                case .domain: (senderDomains, recipientDomains)
                default: (message.clientIPText.map { [$0] } ?? [], [])
                }
                if (regex.sender && any(sender, regex.database)) || (regex.recipient && any(recipient, regex.database)) {
                    found.insert(regex.uuid)
                }
            }
        }
        return found
    }

    static func within(_ name: String, _ domain: String) -> Bool {
        name == domain || name.hasSuffix("." + domain)
    }
}
