import SafelistCore
import SafelistEngine

/// The body of `POST …/allow_policies/evaluate`: one message, or `{"messages": [...]}` with up
/// to `maxMessages`. Every problem is reported at once, with its pointer, as for policy bodies.
/// In a batch, a message with problems is reported in its own place in the answer and the
/// others are evaluated; a body that is not a batch of messages at all is refused whole.
///
/// The body's bytes are read once, straight into messages (`MessageReader`): no `JSONValue`
/// tree is built first. The tree and its dictionaries were two thirds of an evaluate request's
/// time, the engine's own work a fiftieth.
public struct EvaluationRequest: Sendable {
    public enum Item: Sendable {
        case message(PreparedMessage)
        /// The message's problems, pointers from the body's root.
        case invalid([ErrorItem])
    }

    public var items: [Item]
    /// True when the body used `messages`: the answer is then an array in the same order.
    public var isBatch: Bool
    /// What was read but not used (untrusted `Authentication-Results`), for the answer's `messages`.
    public var notes: [ErrorItem]

    /// What reading depends on besides the body.
    public struct Context: Sendable {
        /// authserv-ids whose `Authentication-Results` are read (lowercase, no trailing dot).
        public var trustedAuthservIDs: Set<String>

        public init(trustedAuthservIDs: Set<String> = []) {
            self.trustedAuthservIDs = Set(trustedAuthservIDs.map(Self.normalize))
        }

        public static func normalize(_ id: String) -> String {
            TrustedAuthentication.normalize(authservID: id)
        }
    }

    public static let maxMessages = 1000
    public static let maxRecipients = 1000
    static let maxTextLength = 1024

    /// The messages that were read, in order.
    public var messages: [PreparedMessage] {
        items.compactMap { if case .message(let message) = $0 { message } else { nil } }
    }

    /// Reads a request body. A body that is not JSON is refused as such before anything in it
    /// is judged, as for every other route.
    public static func parse(_ body: UnsafeRawBufferPointer, context: Context = Context()) throws(SafelistError) -> EvaluationRequest {
        let outcome: Result<EvaluationRequest, SafelistError>
        do {
            outcome = try JSONParser.read(body) { json throws(JSONSyntaxError) in try read(&json, context: context) }
        } catch {
            throw error.refusal
        }
        return try outcome.get()
    }

    public static func parse(_ body: [UInt8], context: Context = Context()) throws(SafelistError) -> EvaluationRequest {
        let outcome = body.withUnsafeBytes { bytes in Result { () throws(SafelistError) in try parse(bytes, context: context) } }
        return try outcome.get()
    }

    private static func read(_ json: inout JSONParser, context: Context) throws(JSONSyntaxError) -> Result<EvaluationRequest, SafelistError> {
        let kind = try json.kind()
        guard kind == .object else {
            try json.skipValue()
            return .failure(
                SafelistError(.invalid, code: .wrongType, "The request body must be a JSON object, not \(kind.name)", pointer: ""))
        }
        // Until `messages` turns up, the body may be one message: its fields are read as such.
        var single = MessageReader(context: context, base: "")
        var batch: Batch?
        var otherKeys: [String] = []
        try json.beginObject()
        var first = true
        while let (key, offset) = try json.nextKey(first: &first) {
            if key == "messages" {
                guard batch == nil else {
                    try json.skipValue()
                    throw JSONParser.repeated(key, at: offset)
                }
                batch = try Batch.read(&json, context: context)
            } else {
                otherKeys.append(key)
                try single.field(key, at: offset, &json)
            }
        }
        guard let batch else {
            guard let message = single.finish() else { return .failure(.validation(single.problems)) }
            return .success(EvaluationRequest(items: [.message(message)], isBatch: false, notes: single.notes))
        }
        var problems: [ErrorItem] = otherKeys.sorted().map { .unknownField($0) }
        if let kind = batch.notAnArray {
            return .failure(.validation(problems + [.wrongType(pointer: "/messages", expected: "an array", got: kind.name)]))
        }
        if !(1...maxMessages).contains(batch.count) {
            problems.append(ErrorItem(code: .tooManyItems, message: "messages must hold 1 to \(maxMessages) messages", pointer: "/messages"))
        }
        guard problems.isEmpty else { return .failure(.validation(problems)) }
        return .success(EvaluationRequest(items: batch.items, isBatch: true, notes: batch.notes))
    }

    /// `messages`, read element by element.
    private struct Batch {
        var items: [Item] = []
        var notes: [ErrorItem] = []
        var count = 0
        /// What `messages` was instead of an array.
        var notAnArray: JSONParser.Kind?

        static func read(_ json: inout JSONParser, context: Context) throws(JSONSyntaxError) -> Batch {
            var batch = Batch()
            let kind = try json.kind()
            guard kind == .array else {
                try json.skipValue()
                batch.notAnArray = kind
                return batch
            }
            try json.beginArray()
            var first = true
            while try json.nextElement(first: &first) {
                defer { batch.count += 1 }
                // Past the limit the body is refused whole: the rest is only checked as JSON.
                guard batch.count < maxMessages else {
                    try json.skipValue()
                    continue
                }
                let pointer = "/messages/\(batch.count)"
                let element = try json.kind()
                guard element == .object else {
                    try json.skipValue()
                    batch.items.append(.invalid([.wrongType(pointer: pointer, expected: "an object", got: element.name)]))
                    continue
                }
                var reader = MessageReader(context: context, base: pointer)
                try reader.readObject(&json)
                batch.notes += reader.notes
                if let message = reader.finish() { batch.items.append(.message(message)) } else { batch.items.append(.invalid(reader.problems)) }
            }
            return batch
        }
    }
}

extension JSONSyntaxError {
    /// The client's answer for a body that is not JSON Safelist accepts.
    public var refusal: SafelistError {
        SafelistError(.invalid, code: .malformedJSON, "The request body is not valid JSON: \(reason) (at byte \(offset))")
    }
}
