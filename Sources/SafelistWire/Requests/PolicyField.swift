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

    /// The field or deprecated alias (its index in `aliases`) a body's key names, by plain
    /// comparisons: `init(rawValue:)` goes through the standard library's generic string
    /// switch, a twentieth of reading an import file.
    static func named(_ key: String) -> (field: PolicyField?, alias: Int?) {
        switch key {
        case "pattern": (.pattern, nil)
        case "pattern_type": (.patternType, nil)
        case "is_regex": (.isRegex, nil)
        case "is_trusted_sender": (.isTrustedSender, nil)
        case "is_exempt_recipient": (.isExemptRecipient, nil)
        case "is_acceptable_sender": (.isAcceptableSender, nil)
        case "verify_sender": (.verifySender, nil)
        case "comments": (.comments, nil)
        case "is_sender": (nil, 0)
        case "is_recipient": (nil, 1)
        case "is_spoof": (nil, 2)
        default: (nil, nil)
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
