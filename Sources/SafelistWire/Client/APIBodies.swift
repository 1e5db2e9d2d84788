import SafelistCore

/// What a client sends the API, as the API reads it (`PolicyFields.parse`, `PolicyEdit.parse`,
/// `BatchRequest.parse`): the command line's remote mode speaks to a server with these.
public enum APIBodies {
    public static func fields(_ fields: PolicyFields) -> JSONValue {
        .object([
            "pattern": .string(fields.pattern.stored), "pattern_type": .string(fields.patternType.rawValue), "is_regex": .bool(fields.isRegex),
            "is_trusted_sender": .bool(fields.isTrustedSender), "is_exempt_recipient": .bool(fields.isExemptRecipient),
            "is_acceptable_sender": .bool(fields.isAcceptableSender), "verify_sender": .bool(fields.verifySender),
            "comments": fields.comments.map(JSONValue.string) ?? .null,
        ])
    }

    public static func edit(_ edit: PolicyEdit) -> JSONValue {
        var object: [String: JSONValue] = [:]
        if let pattern = edit.pattern { object["pattern"] = .string(pattern) }
        if let type = edit.patternType { object["pattern_type"] = .string(type.rawValue) }
        let flags: [(String, Bool?)] = [
            ("is_regex", edit.isRegex), ("is_trusted_sender", edit.isTrustedSender), ("is_exempt_recipient", edit.isExemptRecipient),
            ("is_acceptable_sender", edit.isAcceptableSender), ("verify_sender", edit.verifySender),
        ]
        for (name, value) in flags { if let value { object[name] = .bool(value) } }
        if let comments = edit.comments { object["comments"] = comments.map(JSONValue.string) ?? .null }
        return .object(object)
    }

    public static func batch(_ request: BatchRequest) -> JSONValue {
        func withID(_ id: PolicyID, _ body: JSONValue) -> JSONValue {
            var object = body.objectValue ?? [:]
            object["id"] = .string(id.rawValue)
            return .object(object)
        }
        return .object([
            "deletes": .array(request.deletes.map { .object(["id": .string($0.id.rawValue)]) }),
            "patches": .array(request.patches.map { withID($0.id, edit($0.edit)) }),
            "puts": .array(request.puts.map { withID($0.id, fields($0.fields)) }),
            "posts": .array(request.posts.map { fields($0.fields) }),
        ])
    }

    /// A list request's query parameters (what `ListQuery.parse` reads).
    public static func parameters(_ query: ListQuery) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = [
            ("page", String(query.page)), ("per_page", String(query.perPage)), ("order", query.order.rawValue),
            ("direction", query.direction.rawValue),
        ]
        if let pattern = query.pattern { pairs.append(("pattern", pattern)) }
        if let type = query.patternType { pairs.append(("pattern_type", type.rawValue)) }
        if let search = query.search { pairs.append(("search", search)) }
        for flag in PolicyFlag.allCases { if let value = query[flag] { pairs.append((flag.rawValue, String(value))) } }
        return pairs
    }
}
