import SafelistCore

public let account = AccountID(String(repeating: "a", count: 32))!
public let otherAccount = AccountID(String(repeating: "b", count: 32))!

public func fields(_ pattern: String, _ type: PatternType = .email, regex: Bool = false, comments: String? = nil) throws -> PolicyFields {
    PolicyFields(
        pattern: try PatternValidator.validate(pattern, type: type, isRegex: regex), patternType: type,
        isRegex: regex, isTrustedSender: true, isExemptRecipient: false, isAcceptableSender: false,
        verifySender: false, comments: comments)
}
