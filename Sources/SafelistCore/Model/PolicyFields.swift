/// The complete, validated content of a create or replace request.
public struct PolicyFields: Sendable, Equatable {
    public var pattern: CanonicalPattern
    public var patternType: PatternType
    public var isRegex: Bool
    public var isTrustedSender: Bool
    public var isExemptRecipient: Bool
    public var isAcceptableSender: Bool
    public var verifySender: Bool
    public var comments: String?

    public init(
        pattern: CanonicalPattern, patternType: PatternType, isRegex: Bool, isTrustedSender: Bool,
        isExemptRecipient: Bool, isAcceptableSender: Bool, verifySender: Bool, comments: String?
    ) {
        self.pattern = pattern
        self.patternType = patternType
        self.isRegex = isRegex
        self.isTrustedSender = isTrustedSender
        self.isExemptRecipient = isExemptRecipient
        self.isAcceptableSender = isAcceptableSender
        self.verifySender = verifySender
        self.comments = comments
    }
}

extension PolicyFields {
    /// The fields `policy` holds: what a create of it would send.
    public init(policy: AllowPolicy) {
        self.init(
            pattern: CanonicalPattern(stored: policy.pattern, matchKey: policy.matchKey), patternType: policy.patternType,
            isRegex: policy.isRegex, isTrustedSender: policy.isTrustedSender, isExemptRecipient: policy.isExemptRecipient,
            isAcceptableSender: policy.isAcceptableSender, verifySender: policy.verifySender, comments: policy.comments)
    }
}
