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

    /// Reads a create or replace body. Every problem is reported at once; `notices` collects the
    /// deprecation messages for aliases the client used.
    public static func parse(
        _ body: JSONValue, extraKeys: Set<String> = [], notices: inout [ErrorItem]
    ) throws(SafelistError) -> PolicyFields {
        let raw = try RawPolicyBody.read(body, extraKeys: extraKeys, notices: &notices)
        var problems = raw.problems
        for field in PolicyField.required where !raw.has(field) && !raw.hasProblem(at: field) {
            problems.append(ErrorItem(code: ErrorCode.missingField, message: field.missingMessage,
                                      pointer: field.pointer))
        }
        var pattern: CanonicalPattern?
        if let patternText = raw.pattern, let patternType = raw.patternType, let isRegex = raw.isRegex {
            do throws(SafelistError) {
                pattern = try PatternValidator.validate(patternText, type: patternType, isRegex: isRegex,
                                                        pointer: PolicyField.pattern.pointer)
            } catch {
                problems += error.errors
            }
        }
        guard problems.isEmpty, let pattern, let patternType = raw.patternType,
              let isRegex = raw.isRegex, let trusted = raw.isTrustedSender,
              let exempt = raw.isExemptRecipient, let acceptable = raw.isAcceptableSender,
              let verify = raw.verifySender
        else { throw .validation(problems) }
        return PolicyFields(
            pattern: pattern, patternType: patternType, isRegex: isRegex, isTrustedSender: trusted,
            isExemptRecipient: exempt, isAcceptableSender: acceptable, verifySender: verify,
            comments: raw.comments ?? nil
        )
    }
}
