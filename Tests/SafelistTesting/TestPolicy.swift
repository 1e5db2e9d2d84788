import SafelistCore

/// A policy for a test: pattern, type, what it grants.
public struct TestPolicy: Sendable, CustomStringConvertible {
    public var pattern: String
    public var type: PatternType
    public var regex = false
    public var trusted = false
    public var acceptable = false
    public var exempt = false
    public var verify = false

    public static func email(_ pattern: String, regex: Bool = false) -> TestPolicy { TestPolicy(pattern: pattern, type: .email, regex: regex) }
    public static func domain(_ pattern: String, regex: Bool = false) -> TestPolicy { TestPolicy(pattern: pattern, type: .domain, regex: regex) }
    public static func ip(_ pattern: String, regex: Bool = false) -> TestPolicy { TestPolicy(pattern: pattern, type: .ip, regex: regex) }

    public var trustedSender: TestPolicy { var copy = self; copy.trusted = true; return copy }
    public var acceptableSender: TestPolicy { var copy = self; copy.acceptable = true; return copy }
    public var exemptRecipient: TestPolicy { var copy = self; copy.exempt = true; return copy }
    public var verified: TestPolicy { var copy = self; copy.verify = true; return copy }

    public var fields: PolicyFields {
        get throws {
            PolicyFields(
                pattern: try PatternValidator.validate(pattern, type: type, isRegex: regex), patternType: type,
                isRegex: regex, isTrustedSender: trusted, isExemptRecipient: exempt,
                isAcceptableSender: acceptable, verifySender: verify, comments: nil)
        }
    }

    public var description: String { "\(type.rawValue)\(regex ? " regex" : "") \(pattern)" }
}
