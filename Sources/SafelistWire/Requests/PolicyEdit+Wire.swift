import SafelistCore

extension PolicyEdit {
    /// Reads an edit body: only the fields given; an empty edit is refused.
    public static func parse(
        _ body: JSONValue, extraKeys: Set<String> = [], notices: inout [ErrorItem]
    ) throws(SafelistError) -> PolicyEdit {
        let raw = try RawPolicyBody.read(body, extraKeys: extraKeys, notices: &notices)
        guard raw.problems.isEmpty else { throw .validation(raw.problems) }
        let edit = PolicyEdit(
            pattern: raw.pattern, patternType: raw.patternType, isRegex: raw.isRegex,
            isTrustedSender: raw.isTrustedSender, isExemptRecipient: raw.isExemptRecipient,
            isAcceptableSender: raw.isAcceptableSender, verifySender: raw.verifySender,
            comments: raw.comments
        )
        guard !edit.isEmpty else {
            throw SafelistError(.invalid, code: .emptyEdit, "An edit must change at least one field", pointer: "")
        }
        return edit
    }
}
