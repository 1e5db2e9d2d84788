import SafelistCore

extension PolicyFields {
    /// Reads a create or replace body. Every problem is reported at once; `notices` collects the
    /// deprecation messages for aliases the client used.
    public static func parse(
        _ body: JSONValue, extraKeys: Set<String> = [], notices: inout [ErrorItem]
    ) throws(SafelistError) -> PolicyFields {
        let raw = try RawPolicyBody.read(body, extraKeys: extraKeys, notices: &notices)
        var problems = raw.problems
        for field in PolicyField.required where !raw.has(field) && !raw.hasProblem(at: field) {
            problems.append(ErrorItem(code: .missingField, message: field.missingMessage, pointer: field.pointer))
        }
        var pattern: CanonicalPattern?
        if let patternText = raw.pattern, let patternType = raw.patternType, let isRegex = raw.isRegex {
            do throws(SafelistError) {
                pattern = try PatternValidator.validate(
                    patternText, type: patternType, isRegex: isRegex,
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
