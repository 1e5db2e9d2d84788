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

    /// Made once: every field of every body read passes its pointer along.
    var pointer: String { Self.pointers[position] }
    private static let pointers = allCases.map { "/" + $0.rawValue }

    /// The field a body's key names, and whether by its deprecated alias, told by plain
    /// comparisons: `init(rawValue:)` goes through the standard library's generic string
    /// switch, a twentieth of reading an import file.
    static func named(_ key: String) -> (field: PolicyField, byAlias: Bool)? {
        switch key {
        case "pattern": (.pattern, false)
        case "pattern_type": (.patternType, false)
        case "is_regex": (.isRegex, false)
        case "is_trusted_sender": (.isTrustedSender, false)
        case "is_exempt_recipient": (.isExemptRecipient, false)
        case "is_acceptable_sender": (.isAcceptableSender, false)
        case "verify_sender": (.verifySender, false)
        case "comments": (.comments, false)
        case "is_sender": (.isTrustedSender, true)
        case "is_recipient": (.isExemptRecipient, true)
        case "is_spoof": (.isAcceptableSender, true)
        default: nil
        }
    }

    /// The field's place in `allCases`.
    var position: Int {
        switch self {
        case .pattern: 0
        case .patternType: 1
        case .isRegex: 2
        case .isTrustedSender: 3
        case .isExemptRecipient: 4
        case .isAcceptableSender: 5
        case .verifySender: 6
        case .comments: 7
        }
    }

    var alias: String? { Self.aliases.first { $0.field == self }?.alias }

    var missingMessage: String {
        if let alias { return "\(rawValue) is required (or its deprecated alias \(alias))" }
        return "\(rawValue) is required"
    }
}
