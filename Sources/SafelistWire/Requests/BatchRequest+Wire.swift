import SafelistCore

extension BatchRequest {
    static let arrays = ["deletes", "patches", "puts", "posts"]

    /// Reads a batch body: four required arrays, each item validated like its single-policy
    /// counterpart; every problem is reported with its full pointer (`/patches/3/pattern`).
    public static func parse(_ body: JSONValue, notices: inout [ErrorItem]) throws(SafelistError) -> BatchRequest {
        guard case .object(let object) = body else {
            throw SafelistError(
                .invalid, code: .wrongType,
                "The request body must be a JSON object, not \(body.typeName)", pointer: "")
        }
        var problems: [ErrorItem] = []
        for key in object.keys.sorted() where !arrays.contains(key) {
            problems.append(.unknownField(key))
        }
        var request = BatchRequest()
        for name in arrays {
            guard let value = object[name] else {
                problems.append(
                    ErrorItem(
                        code: ErrorCode.missingField,
                        message: "\(name) is required (an empty array is allowed)", pointer: "/" + name))
                continue
            }
            guard case .array(let items) = value else {
                problems.append(ErrorItem.wrongType(pointer: "/" + name, expected: "an array", got: value))
                continue
            }
            guard items.count <= maxItemsPerArray else {
                problems.append(
                    ErrorItem(
                        code: ErrorCode.tooManyItems,
                        message: "\(name) may hold at most \(maxItemsPerArray) items", pointer: "/" + name))
                continue
            }
            for (index, item) in items.enumerated() {
                let pointer = "/\(name)/\(index)"
                do throws(SafelistError) {
                    try request.append(item, to: name, pointer: pointer, notices: &notices)
                } catch {
                    problems += error.errors.map { $0.nested(under: pointer) }
                }
            }
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return request
    }

    private mutating func append(
        _ item: JSONValue, to array: String, pointer: String, notices: inout [ErrorItem]
    ) throws(SafelistError) {
        var itemNotices: [ErrorItem] = []
        defer { notices += itemNotices.map { $0.nested(under: pointer) } }
        switch array {
        case "deletes":
            guard case .object(let object) = item else {
                throw .validation([ErrorItem.wrongType(pointer: "", expected: "an object", got: item)])
            }
            var problems = object.keys.sorted().filter { $0 != "id" }.map {
                ErrorItem.unknownField($0)
            }
            let id = Self.readID(object, problems: &problems)
            guard problems.isEmpty, let id else { throw .validation(problems) }
            deletes.append(Delete(id: id, pointer: pointer))
        case "patches":
            let (id, edit) = try Self.identified(item, notices: &itemNotices) { (body, notices) throws(SafelistError) in
                try PolicyEdit.parse(body, extraKeys: ["id"], notices: &notices)
            }
            patches.append(Patch(id: id, edit: edit, pointer: pointer))
        case "puts":
            let (id, fields) = try Self.identified(item, notices: &itemNotices) { (body, notices) throws(SafelistError) in
                try PolicyFields.parse(body, extraKeys: ["id"], notices: &notices)
            }
            puts.append(Put(id: id, fields: fields, pointer: pointer))
        default:
            let fields = try PolicyFields.parse(item, notices: &itemNotices)
            posts.append(Post(fields: fields, pointer: pointer))
        }
    }

    /// An item that names an existing policy: its `id` and its body are both checked, so that the
    /// problems of each are reported together.
    private static func identified<Value>(
        _ item: JSONValue, notices: inout [ErrorItem],
        parse: (JSONValue, inout [ErrorItem]) throws(SafelistError) -> Value
    ) throws(SafelistError) -> (PolicyID, Value) {
        var problems: [ErrorItem] = []
        let id = readID(item.objectValue, problems: &problems)
        var value: Value?
        do throws(SafelistError) {
            value = try parse(item, &notices)
        } catch {
            problems += error.errors
        }
        guard problems.isEmpty, let id, let value else { throw .validation(problems) }
        return (id, value)
    }

    /// The `id` of a batch item; an object that is not one is reported by the item's parser.
    private static func readID(_ object: [String: JSONValue]?, problems: inout [ErrorItem]) -> PolicyID? {
        guard let object else { return nil }
        switch object["id"] {
        case nil:
            problems.append(ErrorItem(code: ErrorCode.missingField, message: "id is required", pointer: "/id"))
        case .string(let text)?:
            if let id = PolicyID(text) { return id }
            problems.append(ErrorItem(code: ErrorCode.invalidValue, message: "id must be a policy id (a UUID)", pointer: "/id"))
        case let other?:
            problems.append(ErrorItem.wrongType(pointer: "/id", expected: "a string", got: other))
        }
        return nil
    }
}
