import SafelistCore
import SafelistEngine

/// The body of `POST …/allow_policies/evaluate`: one message, or `{"messages": [...]}` with up
/// to `maxMessages`. Every problem is reported at once, with its pointer, as for policy bodies.
/// In a batch, a message with problems is reported in its own place in the answer and the
/// others are evaluated; a body that is not a batch of messages at all is refused whole.
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

    public static func parse(_ body: JSONValue, context: Context = Context()) throws(SafelistError) -> EvaluationRequest {
        guard case .object(let object) = body else {
            throw SafelistError(.invalid, code: .wrongType, "The request body must be a JSON object, not \(body.typeName)", pointer: "")
        }
        guard let batch = object["messages"] else {
            var reader = MessageReader(context: context)
            let message = reader.message(object, at: "")
            guard let message, reader.problems.isEmpty else { throw .validation(reader.problems) }
            return EvaluationRequest(items: [.message(message)], isBatch: false, notes: reader.notes)
        }
        var problems: [ErrorItem] = object.keys.sorted().filter { $0 != "messages" }.map { .unknownField($0) }
        guard case .array(let list) = batch else {
            throw .validation(problems + [.wrongType(pointer: "/messages", expected: "an array", got: batch)])
        }
        if !(1...maxMessages).contains(list.count) {
            problems.append(ErrorItem(code: .tooManyItems, message: "messages must hold 1 to \(maxMessages) messages", pointer: "/messages"))
        }
        guard problems.isEmpty else { throw .validation(problems) }
        var items: [Item] = [], notes: [ErrorItem] = []
        for (index, item) in list.enumerated() {
            let pointer = "/messages/\(index)"
            guard case .object(let fields) = item else {
                items.append(.invalid([.wrongType(pointer: pointer, expected: "an object", got: item)]))
                continue
            }
            var reader = MessageReader(context: context)
            let message = reader.message(fields, at: pointer)
            notes += reader.notes
            if let message, reader.problems.isEmpty { items.append(.message(message)) } else { items.append(.invalid(reader.problems)) }
        }
        return EvaluationRequest(items: items, isBatch: true, notes: notes)
    }
}

/// Reads one message, collecting what is wrong with it.
private struct MessageReader {
    let context: EvaluationRequest.Context
    var problems: [ErrorItem] = []
    var notes: [ErrorItem] = []

    static let fields: Set<String> = [
        "envelope_from", "header_from", "reply_to", "recipients", "client_ip", "client_hostname", "auth",
        "authentication_results", "disposition",
    ]

    init(context: EvaluationRequest.Context) {
        self.context = context
    }

    mutating func add(_ code: ErrorCode, _ message: String, at pointer: String) {
        problems.append(ErrorItem(code: code, message: message, pointer: pointer))
    }

    mutating func wrongType(_ pointer: String, expected: String, got value: JSONValue) {
        problems.append(.wrongType(pointer: pointer, expected: expected, got: value))
    }

    mutating func message(_ object: [String: JSONValue], at base: String) -> PreparedMessage? {
        for key in object.keys.sorted() where !Self.fields.contains(key) { problems.append(.unknownField(key, in: base)) }
        var envelopeFrom: EmailSubject?
        switch object["envelope_from"] {
        case nil:
            add(.missingField, "envelope_from is required (\"\" or \"<>\" for the null sender)", at: base + "/envelope_from")
        case let value?:
            envelopeFrom = smtpPath(value, at: base + "/envelope_from", nullAllowed: true)
        }
        let headerFrom = headerAddresses(object["header_from"], at: base + "/header_from")
        var replyTo: [EmailSubject] = []
        if let value = object["reply_to"] {
            if case .array(let list) = value {
                for (index, item) in list.enumerated() { replyTo += headerAddresses(item, at: "\(base)/reply_to/\(index)") }
                if replyTo.count > EvaluationRequest.maxRecipients {
                    add(.tooManyItems, "reply_to lists more than \(EvaluationRequest.maxRecipients) addresses", at: base + "/reply_to")
                }
            } else {
                wrongType(base + "/reply_to", expected: "an array of strings", got: value)
            }
        }
        let recipients = recipientList(object["recipients"], at: base + "/recipients")
        let clientIP = clientAddress(object["client_ip"], at: base + "/client_ip")
        var hostname: String?
        if let value = object["client_hostname"] {
            let pointer = base + "/client_hostname"
            if case .string(let text) = value, text.utf8.count <= EvaluationRequest.maxTextLength {
                hostname = text.isEmpty ? nil : MatchingName.normalize(text.trimmingASCIISpaces)
            } else if case .string = value {
                add(.invalidValue, "client_hostname is too long", at: pointer)
            } else {
                wrongType(pointer, expected: "a string", got: value)
            }
        }
        var auth = authResults(object["auth"], at: base + "/auth")
        if let value = object["authentication_results"] {
            let pointer = base + "/authentication_results"
            if case .array(let list) = value {
                var texts: [String] = []
                for (index, item) in list.enumerated() {
                    if case .string(let text) = item { texts.append(text) } else { wrongType("\(pointer)/\(index)", expected: "a string", got: item) }
                }
                let reading = TrustedAuthentication.read(texts, trusted: context.trustedAuthservIDs)
                auth.spf += reading.results.spf
                auth.dkim += reading.results.dkim
                auth.dmarc += reading.results.dmarc
                for note in reading.notes {
                    notes.append(
                        ErrorItem(code: .ignoredInput, message: note.message, pointer: note.index < 0 ? pointer : "\(pointer)/\(note.index)"))
                }
            } else {
                wrongType(pointer, expected: "an array of Authentication-Results header values", got: value)
            }
        }
        var disposition: Disposition?
        if let value = object["disposition"] {
            let pointer = base + "/disposition"
            if case .string(let text) = value, let known = Disposition(rawValue: text) {
                disposition = known
            } else if case .string = value {
                add(.invalidValue, "disposition must be one of \(Disposition.allCases.map(\.rawValue).joined(separator: ", "))", at: pointer)
            } else if value != .null {
                wrongType(pointer, expected: "a string", got: value)
            }
        }
        guard problems.isEmpty else { return nil }
        return PreparedMessage(
            MailMessage(
                envelopeFrom: envelopeFrom, headerFrom: headerFrom, replyTo: replyTo, recipients: recipients,
                clientIP: clientIP, clientHostname: hostname, auth: auth, disposition: disposition))
    }

    /// An SMTP path (`<bob@x.example>`, `bob@x.example`; `<>` or "" for the null sender).
    private mutating func smtpPath(_ value: JSONValue, at pointer: String, nullAllowed: Bool) -> EmailSubject? {
        guard case .string(let text) = value else {
            wrongType(pointer, expected: "a string", got: value)
            return nil
        }
        guard text.utf8.count <= EvaluationRequest.maxTextLength, let path = AddressList.smtpPath(text) else {
            add(.invalidEmail, "'\(text.prefix(100))' is not an SMTP address (local@domain, or <local@domain>)", at: pointer)
            return nil
        }
        if path.isEmpty {
            if !nullAllowed { add(.invalidEmail, "a recipient cannot be the null address <>", at: pointer) }
            return nil
        }
        guard let subject = EmailSubject(path), !subject.address.unicodeScalars.contains(where: { $0.value < 0x21 }) else {
            add(.invalidEmail, "'\(text.prefix(100))' is not an email address (local@domain)", at: pointer)
            return nil
        }
        return subject
    }

    private mutating func recipientList(_ value: JSONValue?, at pointer: String) -> [EmailSubject] {
        guard let value else {
            add(.missingField, "recipients is required", at: pointer)
            return []
        }
        guard case .array(let list) = value else {
            wrongType(pointer, expected: "an array of strings", got: value)
            return []
        }
        if list.isEmpty { add(.invalidValue, "at least one recipient is required", at: pointer) }
        guard list.count <= EvaluationRequest.maxRecipients else {
            add(.tooManyItems, "at most \(EvaluationRequest.maxRecipients) recipients are accepted", at: pointer)
            return []
        }
        return list.enumerated().compactMap { smtpPath($1, at: "\(pointer)/\($0)", nullAllowed: false) }
    }

    /// A header's value (RFC 5322 address list): every address it lists.
    private mutating func headerAddresses(_ value: JSONValue?, at pointer: String) -> [EmailSubject] {
        guard let value else { return [] }
        guard case .string(let text) = value else {
            wrongType(pointer, expected: "a string", got: value)
            return []
        }
        guard text.utf8.count <= 16 * EvaluationRequest.maxTextLength else {
            add(.invalidValue, "the header value is too long", at: pointer)
            return []
        }
        do {
            var subjects: [EmailSubject] = []
            for address in try AddressList.parse(text) {
                guard let subject = EmailSubject(address) else {
                    add(.invalidEmail, "'\(address.prefix(100))' is not an email address (local@domain)", at: pointer)
                    return []
                }
                subjects.append(subject)
            }
            if pointer.hasSuffix("/header_from"), subjects.count > MailMessage.maximumHeaderFrom {
                add(.tooManyItems, "header_from lists more than \(MailMessage.maximumHeaderFrom) addresses", at: pointer)
            }
            return subjects
        } catch {
            add(.invalidEmail, "'\(text.prefix(100))' is not an RFC 5322 address list: \(error.reason)", at: pointer)
            return []
        }
    }

    private mutating func clientAddress(_ value: JSONValue?, at pointer: String) -> IPBlock? {
        guard let value else { return nil }
        guard case .string(let text) = value else {
            wrongType(pointer, expected: "a string", got: value)
            return nil
        }
        guard let block = try? IPBlock.parse(text.trimmingASCIISpaces), !text.utf8.contains(UInt8(ascii: "/")) else {
            add(.invalidIP, "client_ip must be an IPv4 or IPv6 address, not '\(text.prefix(100))'", at: pointer)
            return nil
        }
        return block
    }

    /// `auth`: `spf`, `dkim` and `dmarc`, each a result (`"pass"`) or a result with the domain it
    /// authenticated (`{"result": "pass", "domain": "partner.example"}`); `dkim` also a list of
    /// those, one per signature.
    private mutating func authResults(_ value: JSONValue?, at pointer: String) -> AuthResults {
        var auth = AuthResults()
        guard let value else { return auth }
        guard case .object(let fields) = value else {
            wrongType(pointer, expected: "an object", got: value)
            return auth
        }
        for key in fields.keys.sorted() {
            let field = pointer + "/" + key
            guard let item = fields[key] else { continue }
            switch key {
            case "spf": auth.spf = check(item, at: field).map { [$0] } ?? []
            case "dmarc": auth.dmarc = check(item, at: field).map { [$0] } ?? []
            case "dkim":
                if case .array(let signatures) = item {
                    auth.dkim = signatures.enumerated().compactMap { check($1, at: "\(field)/\($0)") }
                } else {
                    auth.dkim = check(item, at: field).map { [$0] } ?? []
                }
            default: problems.append(.unknownField(key, in: pointer))
            }
        }
        return auth
    }

    /// For the error messages only.
    private static let resultNames = AuthResult.allCases.map(\.rawValue).joined(separator: ", ")

    private mutating func check(_ value: JSONValue, at pointer: String) -> AuthCheck? {
        let names = Self.resultNames
        switch value {
        case .string(let text):
            guard let result = AuthResult(rawValue: text.lowercased()) else {
                add(.invalidValue, "\(pointer.split(separator: "/").last ?? "") must be one of \(names)", at: pointer)
                return nil
            }
            return AuthCheck(result)
        case .object(let object):
            for key in object.keys.sorted() where key != "result" && key != "domain" { problems.append(.unknownField(key, in: pointer)) }
            guard case .string(let text)? = object["result"], let result = AuthResult(rawValue: text.lowercased()) else {
                add(.invalidValue, "result must be one of \(names)", at: pointer + "/result")
                return nil
            }
            switch object["domain"] {
            case nil, .null?: return AuthCheck(result)
            case .string(let domain)? where !domain.isEmpty && domain.utf8.count <= 253:
                guard let normalized = MatchingName.normalize(domain.trimmingASCIISpaces) else { fallthrough }
                return AuthCheck(result, domain: normalized)
            default:
                add(.invalidDomain, "domain must be a domain name", at: pointer + "/domain")
                return nil
            }
        default:
            wrongType(pointer, expected: "a result or {\"result\", \"domain\"}", got: value)
            return nil
        }
    }
}
