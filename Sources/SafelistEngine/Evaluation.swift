import Foundation
import SafelistCore

/// What the policies decide for one message: every match, and the effects of the honoured ones.
public struct Evaluation: Sendable {
    public var matches: [PolicyMatch]
    /// An honoured trusted-sender policy matched a sender subject: the whole message bypasses detections.
    public var trustedSender: Bool
    /// An honoured acceptable-sender policy matched: SPAM, SPOOF and BULK verdicts are cleared.
    public var acceptableSender: Bool
    /// Indices into the message's recipients whose copy bypasses detections.
    public var exemptRecipients: [Int]
    /// The final verdict for the message, when the message carried one.
    public var disposition: Disposition?
    /// The final verdict per recipient, when the message carried one.
    public var recipientDispositions: [Disposition]?

    init(matches: [PolicyMatch], disposition given: Disposition?, recipientCount: Int) {
        self.matches = matches
        var trusted = false, acceptable = false
        var exempt = Set<Int>()
        for match in matches where match.honoured {
            if match.grants.contains(.trustedSender) { trusted = true }
            if match.grants.contains(.acceptableSender) { acceptable = true }
            if match.grants.contains(.exemptRecipient), case .recipient(let index) = match.role { exempt.insert(index) }
        }
        trustedSender = trusted
        acceptableSender = acceptable
        exemptRecipients = exempt.sorted()
        guard let given else {
            disposition = nil
            recipientDispositions = nil
            return
        }
        // Trusted dominates acceptable; an exemption then applies per recipient on top.
        let final: Disposition = trusted ? .none : (acceptable && given.clearedByAcceptableSender ? .none : given)
        disposition = final
        recipientDispositions = (0..<recipientCount).map { exempt.contains($0) ? .none : final }
    }
}

/// One policy matching one subject.
public struct PolicyMatch: Sendable, Equatable {
    public let policy: EnginePolicy
    public let role: SubjectRole
    /// The subject's value that matched: an address, a domain or host name, or the client IP.
    public let value: String
    /// What the policy grants for this subject: sender-side flags for a sender subject, the
    /// exemption for a recipient subject.
    public let grants: Grants
    public let honoured: Bool

    /// Why a match grants nothing, when it does not.
    public var reason: String? {
        honoured ? nil : "verify_sender is set and the message passed none of DMARC, SPF or DKIM"
    }

    /// Reads the message in place: a copy would retain every string it holds.
    init(policy: EnginePolicy, role: SubjectRole, message: UnsafePointer<MailMessage>) {
        self.policy = policy
        self.role = role
        value = Self.value(of: role, type: policy.type, in: message)
        grants = policy.grants.intersection(role.isRecipient ? .recipientSide : .senderSide)
        honoured = !policy.verifySender || message.pointee.auth.verifiesSender
    }

    /// Subject order, then pattern, then id: the order an answer lists its matches in.
    static func reportOrder(_ lhs: PolicyMatch, _ rhs: PolicyMatch) -> Bool {
        let left = lhs.role.order, right = rhs.role.order
        if left != right { return left < right }
        if lhs.policy.pattern != rhs.policy.pattern { return lhs.policy.pattern < rhs.policy.pattern }
        return UUID.precedes(lhs.policy.uuid, rhs.policy.uuid)
    }

    private static func value(of role: SubjectRole, type: PatternType, in message: UnsafePointer<MailMessage>) -> String {
        let subject: EmailSubject?
        switch role {
        case .clientIP: return message.pointee.clientIPText ?? ""
        case .clientHostname: return message.pointee.clientHostname ?? ""
        case .envelopeFrom: subject = message.pointee.envelopeFrom
        case .headerFrom: subject = message.pointee.headerFrom
        case .replyTo(let index): subject = message.pointee.replyTo[index]
        case .recipient(let index): subject = message.pointee.recipients[index]
        }
        guard let subject else { return "" }
        return type == .domain ? String(subject.domain) : subject.address
    }
}

extension SubjectRole {
    var isRecipient: Bool {
        if case .recipient = self { return true }
        return false
    }

    /// The spec's subject order, for a stable report.
    var order: Int {
        switch self {
        case .envelopeFrom: 0
        case .headerFrom: 1
        case .replyTo(let index): 2 + index
        case .clientHostname: 1_000_000
        case .clientIP: 1_000_001
        case .recipient(let index): 2_000_000 + index
        }
    }
}
