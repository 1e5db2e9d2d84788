import SafelistCore

/// An answer of the API read back by a client: the envelope's `result`, or its errors as the
/// `SafelistError` the server refused with (the kind from the status, each item's code, message
/// and pointer), so a remote refusal reads as a local one.
public enum APIAnswer {
    /// The envelope of a successful answer (`result`, and `result_info` on lists).
    public static func envelope(status: Int, body: [UInt8]) throws(SafelistError) -> [String: JSONValue] {
        guard let envelope = try? JSONValue.parse(body).objectValue else {
            throw SafelistError(.internalError, code: .internalError, "the server answered \(status) without an API envelope")
        }
        if (200..<300).contains(status), case .bool(true)? = envelope["success"] { return envelope }
        var items: [ErrorItem] = []
        if case .array(let errors)? = envelope["errors"] {
            for case .object(let error) in errors {
                var item = ErrorItem(code: .internalError, message: "")
                if case .number(let code)? = error["code"], let known = ErrorCode(rawValue: Int(code)) { item.code = known }
                if case .string(let message)? = error["message"] { item.message = message }
                if case .object(let source)? = error["source"] {
                    if case .string(let pointer)? = source["pointer"] { item.pointer = pointer }
                    if case .string(let parameter)? = source["parameter"] { item.parameter = parameter }
                }
                items.append(item)
            }
        }
        if items.isEmpty { items = [ErrorItem(code: .internalError, message: "the server answered \(status)")] }
        throw SafelistError(kind(status), items)
    }

    public static func kind(_ status: Int) -> SafelistError.Kind {
        switch status {
        case 400, 405, 413, 415, 422: .invalid
        case 401: .authentication
        case 403: .unauthorized
        case 404: .notFound
        case 409: .conflict
        case 429, 503: .unavailable
        default: .internalError
        }
    }

    /// A policy object as the API writes it (`PolicyJSON`).
    public static func policy(_ value: JSONValue, account: AccountID) throws(SafelistError) -> AllowPolicy {
        var notices: [ErrorItem] = []
        let fields = try PolicyFields.parse(value, extraKeys: PolicyJSON.serverKeys, notices: &notices)
        let object = value.objectValue ?? [:]
        guard case .string(let idText)? = object["id"], let id = PolicyID(idText), case .string(let createdText)? = object["created_at"],
            let created = Timestamp(rfc3339: createdText), case .string(let modifiedText)? = object["modified_at"],
            let modified = Timestamp(rfc3339: modifiedText)
        else {
            throw malformed("a policy")
        }
        var policy = AllowPolicy(id: id, accountID: account, fields: fields, now: created)
        policy.modifiedAt = modified
        return policy
    }

    /// A list page: its policies, and `result_info.total_count`.
    public static func page(_ envelope: [String: JSONValue], account: AccountID) throws(SafelistError) -> ListPage {
        guard case .array(let items)? = envelope["result"] else { throw malformed("a list") }
        var total = items.count
        if case .object(let info)? = envelope["result_info"], case .number(let count)? = info["total_count"] { total = Int(count) }
        var policies: [AllowPolicy] = []
        for item in items { policies.append(try policy(item, account: account)) }
        return ListPage(policies: policies, totalCount: total)
    }

    public static func batch(_ envelope: [String: JSONValue], account: AccountID) throws(SafelistError) -> BatchResult {
        guard case .object(let result)? = envelope["result"] else { throw malformed("a batch") }
        func policies(_ name: String) throws(SafelistError) -> [AllowPolicy] {
            guard case .array(let items)? = result[name] else { return [] }
            var policies: [AllowPolicy] = []
            for item in items { policies.append(try policy(item, account: account)) }
            return policies
        }
        var batch = BatchResult()
        if case .array(let deleted)? = result["deletes"] {
            batch.deletes = deleted.compactMap { item in
                guard case .string(let text)? = item.objectValue?["id"] else { return nil }
                return PolicyID(text)
            }
        }
        batch.patches = try policies("patches")
        batch.puts = try policies("puts")
        batch.posts = try policies("posts")
        return batch
    }

    private static func malformed(_ what: String) -> SafelistError {
        SafelistError(.internalError, code: .internalError, "the server answered \(what) that is not the API's")
    }
}
