import SafelistCore

/// The writable fields of a policy body, with their deprecated aliases: the key list that
/// request readers and `PolicyJSON` both use.
enum PolicyField: String, CaseIterable {
    case pattern
    case patternType = "pattern_type"
    case isRegex = "is_regex"
    case isTrustedSender = "is_trusted_sender"
    case isExemptRecipient = "is_exempt_recipient"
    case isAcceptableSender = "is_acceptable_sender"
    case verifySender = "verify_sender"
    case comments

    static let required: [PolicyField] = [
        .pattern, .patternType, .isRegex, .isTrustedSender, .isExemptRecipient,
        .isAcceptableSender, .verifySender,
    ]

    /// Deprecated request keys and the field each one sets; responses mirror them.
    static let aliases: [(alias: String, field: PolicyField)] = [
        ("is_sender", .isTrustedSender),
        ("is_recipient", .isExemptRecipient),
        ("is_spoof", .isAcceptableSender),
    ]

    /// The flag this field sets, for the four flag fields (whose names are the flags' names).
    var flag: PolicyFlag? { PolicyFlag(rawValue: rawValue) }

    var pointer: String { "/" + rawValue }

    var alias: String? { Self.aliases.first { $0.field == self }?.alias }

    var missingMessage: String {
        if let alias { return "\(rawValue) is required (or its deprecated alias \(alias))" }
        return "\(rawValue) is required"
    }
}
