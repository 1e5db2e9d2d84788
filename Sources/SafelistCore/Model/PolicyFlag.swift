/// The four grant and verification flags of a policy, named once for the readers that filter
/// or write them (the list query, the stores' columns, the wire's field names).
public enum PolicyFlag: String, Sendable, CaseIterable {
    case isTrustedSender = "is_trusted_sender"
    case isExemptRecipient = "is_exempt_recipient"
    case isAcceptableSender = "is_acceptable_sender"
    case verifySender = "verify_sender"
}

extension AllowPolicy {
    public subscript(flag: PolicyFlag) -> Bool {
        switch flag {
        case .isTrustedSender: isTrustedSender
        case .isExemptRecipient: isExemptRecipient
        case .isAcceptableSender: isAcceptableSender
        case .verifySender: verifySender
        }
    }
}
