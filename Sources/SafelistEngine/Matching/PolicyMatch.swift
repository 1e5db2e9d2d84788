import SafelistCore

/// One policy matching one subject.
public struct PolicyMatch: Sendable, Equatable {
    public let policy: EnginePolicy
    public let role: SubjectRole
    /// The subject's value that matched: an address, a domain or host name, or the client IP.
    public let value: String
    /// What the policy grants for this subject: sender-side flags for a sender subject, the
    /// exemption for a recipient subject.
    public let grants: Grants
    public let honored: Bool

    /// Why a match on `message` grants nothing, when it does not: the identity whose
    /// verification failed and the results seen (`SenderVerification`). Written only when
    /// asked for, since writing it costs more than finding the match.
    public func reason(in message: MailMessage) -> String? {
        honored ? nil : "verify_sender is set and " + SenderVerification.reason(role, in: message)
    }

    /// Reads the message in place: a copy would retain every string it holds.
    init(policy: EnginePolicy, role: SubjectRole, in message: UnsafePointer<PreparedMessage>, suffixes: PublicSuffixList) {
        self.policy = policy
        self.role = role
        value = Self.value(of: role, type: policy.type, in: message)
        grants = policy.grants.intersection(role.isRecipient ? .recipientSide : .senderSide)
        honored = !policy.verifySender || SenderVerification.verified(role, in: message.pointee.message, suffixes: suffixes)
    }

    /// Subject order, then pattern, then id: the order an answer lists its matches in.
    static func reportOrder(_ lhs: PolicyMatch, _ rhs: PolicyMatch) -> Bool {
        let left = lhs.role.order, right = rhs.role.order
        if left != right { return left < right }
        if lhs.policy.pattern != rhs.policy.pattern { return lhs.policy.pattern < rhs.policy.pattern }
        return lhs.policy.id < rhs.policy.id
    }

    /// The subject's text, from the message's layout: its bytes are the subject's exact text
    /// and were just matched, so they are in cache, while the message's own strings lie behind
    /// two or three pointers no evaluation of it has read yet.
    private static func value(of role: SubjectRole, type: PatternType, in prepared: UnsafePointer<PreparedMessage>) -> String {
        let view = prepared.pointee.view
        guard let span = view.span(of: role) else { return "" }
        let start = type == .domain ? span.domainStart : span.start
        return String(decoding: UnsafeBufferPointer(rebasing: view.bytes[start..<span.end]), as: UTF8.self)
    }
}
