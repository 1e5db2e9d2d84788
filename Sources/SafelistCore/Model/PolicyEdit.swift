/// A validated partial change (PATCH). Only the fields given change; the pattern is checked again
/// against the merged type when any of pattern, pattern_type or is_regex changes, which needs the
/// stored policy, so that check happens in `apply(to:now:)`, inside the store's transaction.
public struct PolicyEdit: Sendable, Equatable {
    public var pattern: String?
    public var patternType: PatternType?
    public var isRegex: Bool?
    public var isTrustedSender: Bool?
    public var isExemptRecipient: Bool?
    public var isAcceptableSender: Bool?
    public var verifySender: Bool?
    /// Outer optional: given or not; inner: the new value, where null clears.
    public var comments: String??

    public init(
        pattern: String? = nil, patternType: PatternType? = nil, isRegex: Bool? = nil,
        isTrustedSender: Bool? = nil, isExemptRecipient: Bool? = nil,
        isAcceptableSender: Bool? = nil, verifySender: Bool? = nil, comments: String?? = nil
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

    public var isEmpty: Bool {
        pattern == nil && patternType == nil && isRegex == nil && isTrustedSender == nil
            && isExemptRecipient == nil && isAcceptableSender == nil && verifySender == nil
            && comments == nil
    }

    /// The policy after this edit, validated as a whole.
    public func apply(to policy: AllowPolicy, now: Timestamp) throws(SafelistError) -> AllowPolicy {
        var result = policy
        if pattern != nil || patternType != nil || isRegex != nil {
            let type = patternType ?? policy.patternType
            let regex = isRegex ?? policy.isRegex
            let pointer = pattern != nil ? "/pattern" : patternType != nil ? "/pattern_type" : "/is_regex"
            if type == .unknown {
                throw SafelistError(
                    .invalid, code: .invalidValue,
                    "pattern_type must be set to EMAIL, DOMAIN or IP when the pattern changes",
                    pointer: "/pattern_type")
            }
            let canonical = try PatternValidator.validate(
                pattern ?? policy.pattern, type: type,
                isRegex: regex, pointer: pointer)
            result.pattern = canonical.stored
            result.matchKey = canonical.matchKey
            result.patternType = type
            result.isRegex = regex
        }
        if let isTrustedSender { result.isTrustedSender = isTrustedSender }
        if let isExemptRecipient { result.isExemptRecipient = isExemptRecipient }
        if let isAcceptableSender { result.isAcceptableSender = isAcceptableSender }
        if let verifySender { result.verifySender = verifySender }
        if let comments { result.comments = comments }
        result.modifiedAt = now
        return result
    }
}
