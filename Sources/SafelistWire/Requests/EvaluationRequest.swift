import SafelistCore
import SafelistEngine

/// The body of `POST …/allow_policies/evaluate`: one message, or `{"messages": [...]}` with up
/// to `maxMessages`. Every problem is reported at once, with its pointer, as for policy bodies.
public struct EvaluationRequest: Sendable {
    public var messages: [PreparedMessage]
    /// True when the body used `messages`: the answer is then an array in the same order.
    public var isBatch: Bool

    public static let maxMessages = 1000
    public static let maxRecipients = 1000
    static let maxTextLength = 1024

    public static func parse(_ body: JSONValue) throws(SafelistError) -> EvaluationRequest {
        guard case .object(let object) = body else {
            throw SafelistError(
                .invalid, code: .wrongType,
                "The request body must be a JSON object, not \(body.typeName)", pointer: "")
        }
        var problems = MessageProblems()
        guard let batch = object["messages"] else {
            let message = problems.message(object, at: "")
            return try problems.result(EvaluationRequest(messages: message.map { [$0] } ?? [], isBatch: false))
        }
        for key in object.keys.sorted() where key != "messages" { problems.unknown(key, at: "") }
        guard case .array(let items) = batch else {
            problems.wrongType("/messages", expected: "an array", got: batch)
            return try problems.result(EvaluationRequest(messages: [], isBatch: true))
        }
        guard (1...maxMessages).contains(items.count) else {
            problems.add(ErrorCode.tooManyItems, "messages must hold 1 to \(maxMessages) messages", at: "/messages")
            return try problems.result(EvaluationRequest(messages: [], isBatch: true))
        }
        var messages: [PreparedMessage] = []
        for (index, item) in items.enumerated() {
            let pointer = "/messages/\(index)"
            guard case .object(let fields) = item else {
                problems.wrongType(pointer, expected: "an object", got: item)
                continue
            }
            if let message = problems.message(fields, at: pointer) { messages.append(message) }
        }
        return try problems.result(EvaluationRequest(messages: messages, isBatch: true))
    }
}

/// Collects what is wrong with a body while reading it.
private struct MessageProblems {
    var items: [ErrorItem] = []
    static let fields: Set<String> = [
        "envelope_from", "header_from", "reply_to", "recipients", "client_ip", "client_hostname", "auth", "disposition",
    ]

    func result(_ request: EvaluationRequest) throws(SafelistError) -> EvaluationRequest {
        guard items.isEmpty else { throw .validation(items) }
        return request
    }

    mutating func add(_ code: ErrorCode, _ message: String, at pointer: String) {
        items.append(ErrorItem(code: code, message: message, pointer: pointer))
    }

    mutating func unknown(_ key: String, at pointer: String) {
        items.append(.unknownField(key, in: pointer))
    }

    mutating func wrongType(_ pointer: String, expected: String, got value: JSONValue) {
        items.append(.wrongType(pointer: pointer, expected: expected, got: value))
    }

    mutating func message(_ object: [String: JSONValue], at base: String) -> PreparedMessage? {
        let before = items.count
        for key in object.keys.sorted() where !Self.fields.contains(key) { unknown(key, at: base) }
        var envelopeFrom: EmailSubject?
        switch object["envelope_from"] {
        case nil:
            add(ErrorCode.missingField, "envelope_from is required (\"\" for the null sender)", at: base + "/envelope_from")
        case .string(let text) where text.isEmpty || text == "<>":
            envelopeFrom = nil
        case let value?:
            envelopeFrom = address(value, at: base + "/envelope_from", displayForm: false)
        }
        let headerFrom = object["header_from"].flatMap { address($0, at: base + "/header_from", displayForm: true) }
        let replyTo = addresses(object["reply_to"], at: base + "/reply_to", required: false)
        let recipients = addresses(object["recipients"], at: base + "/recipients", required: true)
        var clientIP: IPBlock?
        if let value = object["client_ip"] {
            let pointer = base + "/client_ip"
            if case .string(let text) = value {
                if let block = try? IPBlock.parse(text.trimmingASCIISpaces), !text.contains("/") {
                    clientIP = block
                } else {
                    add(ErrorCode.invalidIP, "client_ip must be an IPv4 or IPv6 address, not '\(text)'", at: pointer)
                }
            } else {
                wrongType(pointer, expected: "a string", got: value)
            }
        }
        var hostname: String?
        if let value = object["client_hostname"] {
            let pointer = base + "/client_hostname"
            if case .string(let text) = value, text.utf8.count <= EvaluationRequest.maxTextLength {
                hostname = text.isEmpty ? nil : MatchingName.normalize(text.trimmingASCIISpaces)
            } else if case .string = value {
                add(ErrorCode.invalidValue, "client_hostname is too long", at: pointer)
            } else {
                wrongType(pointer, expected: "a string", got: value)
            }
        }
        let auth = authResults(object["auth"], at: base + "/auth")
        var disposition: Disposition?
        if let value = object["disposition"] {
            let pointer = base + "/disposition"
            if case .string(let text) = value, let known = Disposition(rawValue: text) {
                disposition = known
            } else if case .string = value {
                let names = Disposition.allCases.map(\.rawValue).joined(separator: ", ")
                add(ErrorCode.invalidValue, "disposition must be one of \(names)", at: pointer)
            } else if value != .null {
                wrongType(pointer, expected: "a string", got: value)
            }
        }
        guard items.count == before else { return nil }
        return PreparedMessage(
            MailMessage(
                envelopeFrom: envelopeFrom, headerFrom: headerFrom, replyTo: replyTo, recipients: recipients,
                clientIP: clientIP, clientHostname: hostname, auth: auth, disposition: disposition))
    }

    private mutating func addresses(_ value: JSONValue?, at pointer: String, required: Bool) -> [EmailSubject] {
        guard let value else {
            if required { add(ErrorCode.missingField, "\(pointer.split(separator: "/").last ?? "") is required", at: pointer) }
            return []
        }
        guard case .array(let list) = value else {
            wrongType(pointer, expected: "an array of strings", got: value)
            return []
        }
        if required, list.isEmpty { add(ErrorCode.invalidValue, "at least one recipient is required", at: pointer) }
        guard list.count <= EvaluationRequest.maxRecipients else {
            add(ErrorCode.tooManyItems, "at most \(EvaluationRequest.maxRecipients) addresses are accepted", at: pointer)
            return []
        }
        return list.enumerated().compactMap { address($1, at: "\(pointer)/\($0)", displayForm: pointer.hasSuffix("reply_to")) }
    }

    /// An address, or for headers the address inside `Display Name <address>`.
    private mutating func address(_ value: JSONValue, at pointer: String, displayForm: Bool) -> EmailSubject? {
        guard case .string(let value) = value else {
            wrongType(pointer, expected: "a string", got: value)
            return nil
        }
        let subject = displayForm ? EmailSubject(header: value) : EmailSubject(value.trimmingASCIISpaces)
        guard value.utf8.count <= EvaluationRequest.maxTextLength, let subject,
            !subject.address.unicodeScalars.contains(where: { $0.value < 0x21 || $0 == "<" || $0 == ">" })
        else {
            let text = value.trimmingASCIISpaces
            add(ErrorCode.invalidEmail, "'\(text.prefix(100))' is not an email address (local@domain)", at: pointer)
            return nil
        }
        return subject
    }

    private mutating func authResults(_ value: JSONValue?, at pointer: String) -> AuthResults {
        var auth = AuthResults()
        guard let value else { return auth }
        guard case .object(let fields) = value else {
            wrongType(pointer, expected: "an object", got: value)
            return auth
        }
        let names = AuthResult.allCases.map(\.rawValue).joined(separator: ", ")
        for key in fields.keys.sorted() {
            guard ["spf", "dkim", "dmarc"].contains(key) else {
                unknown(key, at: pointer)
                continue
            }
            guard case .string(let text)? = fields[key], let result = AuthResult(rawValue: text.lowercased()) else {
                add(ErrorCode.invalidValue, "\(key) must be one of \(names)", at: pointer + "/" + key)
                continue
            }
            switch key {
            case "spf": auth.spf = result
            case "dkim": auth.dkim = result
            default: auth.dmarc = result
            }
        }
        return auth
    }
}
