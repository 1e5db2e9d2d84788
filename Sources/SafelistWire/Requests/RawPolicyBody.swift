import SafelistCore

/// A policy body after type checks but before pattern validation: each field present, absent, or
/// wrong (with the problem recorded). Shared by create, replace, edit and the batch items.
struct RawPolicyBody {
    var pattern: String?
    var patternType: PatternType?
    var isRegex: Bool?
    var isTrustedSender: Bool?
    var isExemptRecipient: Bool?
    var isAcceptableSender: Bool?
    var verifySender: Bool?
    var comments: String??
    var problems: [ErrorItem] = []

    static let maxTextLength = 1024

    static func read(
        _ body: JSONValue, extraKeys: Set<String>, notices: inout [ErrorItem]
    ) throws(SafelistError) -> RawPolicyBody {
        guard case .object(let object) = body else {
            throw SafelistError(
                .invalid, code: .wrongType,
                "The request body must be a JSON object, not \(body.typeName)", pointer: "")
        }
        var raw = RawPolicyBody()
        // One pass over the members, each key told by comparing it: every body of an import or
        // a batch passes here, and looking each field and alias up, and each key in the sets
        // of known and extra keys, hashed twenty strings a body (a fifth of reading a file).
        var values = InlineArray<8, JSONValue?>(repeating: nil)
        var aliasValues = InlineArray<8, JSONValue?>(repeating: nil)
        var unknown: [String] = []
        for (key, value) in object {
            if let (field, byAlias) = PolicyField.named(key) {
                if byAlias { aliasValues[field.position] = value } else { values[field.position] = value }
            } else if !extraKeys.contains(key) {
                unknown.append(key)
            }
        }
        // Sorted only when there is something to report: nearly no body has an unknown key.
        for key in unknown.sorted() { raw.problems.append(.unknownField(key)) }
        for field in PolicyField.allCases {
            if let value = values[field.position] { raw.read(value, as: field, pointer: field.pointer) }
        }
        for (alias, field) in PolicyField.aliases {
            guard let value = aliasValues[field.position] else { continue }
            let pointer = "/" + alias
            guard case .bool(let flag) = value else {
                raw.problems.append(ErrorItem.wrongType(pointer: pointer, expected: "a boolean", got: value))
                continue
            }
            notices.append(
                ErrorItem(
                    code: ErrorCode.deprecatedField,
                    message: "\(alias) is deprecated; use \(field.rawValue)", pointer: pointer))
            let canonical = values[field.position]
            if case .bool(let other)? = canonical, other != flag {
                raw.problems.append(
                    ErrorItem(
                        code: ErrorCode.aliasConflict,
                        message: "\(alias) (deprecated alias of \(field.rawValue)) disagrees with \(field.rawValue)",
                        pointer: pointer))
            } else if canonical == nil {
                raw.read(value, as: field, pointer: pointer)
            }
        }
        return raw
    }

    func has(_ field: PolicyField) -> Bool {
        switch field {
        case .pattern: pattern != nil
        case .patternType: patternType != nil
        case .isRegex: isRegex != nil
        case .isTrustedSender: isTrustedSender != nil
        case .isExemptRecipient: isExemptRecipient != nil
        case .isAcceptableSender: isAcceptableSender != nil
        case .verifySender: verifySender != nil
        case .comments: comments != nil
        }
    }

    func hasProblem(at field: PolicyField) -> Bool {
        let pointers = [field.pointer] + (field.alias.map { ["/" + $0] } ?? [])
        return problems.contains { pointers.contains($0.pointer ?? "") }
    }

    private mutating func read(_ value: JSONValue, as field: PolicyField, pointer: String) {
        switch field {
        case .pattern:
            guard case .string(let text) = value else {
                return problems.append(ErrorItem.wrongType(pointer: pointer, expected: "a string", got: value))
            }
            let length = text.unicodeScalars.count
            guard length >= 1, length <= Self.maxTextLength else {
                return problems.append(
                    ErrorItem(
                        code: ErrorCode.invalidValue,
                        message: "pattern must be 1 to \(Self.maxTextLength) characters long", pointer: pointer))
            }
            pattern = text
        case .patternType:
            guard case .string(let text) = value else {
                return problems.append(ErrorItem.wrongType(pointer: pointer, expected: "a string", got: value))
            }
            guard let type = PatternType(rawValue: text), type != .unknown else {
                return problems.append(
                    ErrorItem(
                        code: ErrorCode.invalidValue,
                        message: "pattern_type must be one of EMAIL, DOMAIN, IP", pointer: pointer))
            }
            patternType = type
        case .comments:
            switch value {
            case .null: comments = .some(nil)
            case .string(let text) where text.unicodeScalars.count <= Self.maxTextLength: comments = .some(text)
            case .string:
                problems.append(
                    ErrorItem(
                        code: ErrorCode.invalidValue,
                        message: "comments must be at most \(Self.maxTextLength) characters long", pointer: pointer))
            default:
                problems.append(ErrorItem.wrongType(pointer: pointer, expected: "a string or null", got: value))
            }
        case .isRegex, .isTrustedSender, .isExemptRecipient, .isAcceptableSender, .verifySender:
            guard case .bool(let flag) = value else {
                return problems.append(ErrorItem.wrongType(pointer: pointer, expected: "a boolean", got: value))
            }
            switch field {
            case .isRegex: isRegex = flag
            case .isTrustedSender: isTrustedSender = flag
            case .isExemptRecipient: isExemptRecipient = flag
            case .isAcceptableSender: isAcceptableSender = flag
            default: verifySender = flag
            }
        }
    }
}
