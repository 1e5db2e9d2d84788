import SafelistCore
import SafelistEngine

/// Reads one evaluate message member by member, straight from the body's bytes, collecting what
/// is wrong with it. Problems are reported in one order whatever the order of the fields in the
/// body: unknown fields by name, then the known ones in `Field` order.
struct MessageReader {
    private let context: EvaluationRequest.Context
    /// The message's pointer from the body's root ("" for a body that is one message).
    private let base: String

    /// The known fields, in the order their problems are reported.
    private enum Field: Int, CaseIterable {
        case envelopeFrom = 1, headerFrom, replyTo, recipients, clientIP, clientHostname, auth, authenticationResults, disposition

        init?(_ key: String) {
            guard let field = Self.allCases.first(where: { $0.key == key }) else { return nil }
            self = field
        }

        /// The member's name in the body.
        var key: String {
            switch self {
            case .envelopeFrom: "envelope_from"
            case .headerFrom: "header_from"
            case .replyTo: "reply_to"
            case .recipients: "recipients"
            case .clientIP: "client_ip"
            case .clientHostname: "client_hostname"
            case .auth: "auth"
            case .authenticationResults: "authentication_results"
            case .disposition: "disposition"
            }
        }

        var bit: UInt16 { 1 << rawValue }
    }

    private var seen: UInt16 = 0
    private var unknownKeys = ObjectKeys()
    /// Each with the rank it is reported in: unknown fields (0) by key, then the field's own.
    private var found: [(rank: Int, key: String, item: ErrorItem)] = []
    private(set) var notes: [ErrorItem] = []

    private var envelopeFrom: EmailSubject?
    private var headerFrom: [EmailSubject] = []
    private var replyTo: [EmailSubject] = []
    private var recipients: [EmailSubject] = []
    private var clientIP: IPBlock?
    private var hostname: String?
    private var auth = AuthResults()
    /// Read once the message is whole, to be added after `auth`'s own results.
    private var authenticationResults: [String]?
    private var disposition: Disposition?

    init(context: EvaluationRequest.Context, base: String) {
        self.context = context
        self.base = base
    }

    /// The problems found, in the order they are reported.
    var problems: [ErrorItem] {
        found.enumerated().sorted { ($0.element.rank, $0.element.key, $0.offset) < ($1.element.rank, $1.element.key, $1.offset) }
            .map(\.element.item)
    }

    /// Reads the object that starts here.
    mutating func readObject(_ json: inout JSONParser) throws(JSONSyntaxError) {
        try json.beginObject()
        var first = true
        while let (key, offset) = try json.nextKey(first: &first) { try field(key, at: offset, &json) }
    }

    /// The message, once every field has been read; nil when something is wrong with it.
    mutating func finish() -> PreparedMessage? {
        if seen & Field.envelopeFrom.bit == 0 {
            add(.missingField, "envelope_from is required (\"\" or \"<>\" for the null sender)", .envelopeFrom)
        }
        if seen & Field.recipients.bit == 0 { add(.missingField, "recipients is required", .recipients) }
        if let texts = authenticationResults {
            let reading = TrustedAuthentication.read(texts, trusted: context.trustedAuthservIDs)
            auth.spf += reading.results.spf
            auth.dkim += reading.results.dkim
            auth.dmarc += reading.results.dmarc
            let pointer = self.pointer(.authenticationResults)
            for note in reading.notes {
                notes.append(ErrorItem(code: .ignoredInput, message: note.message, pointer: note.index < 0 ? pointer : "\(pointer)/\(note.index)"))
            }
        }
        guard found.isEmpty else { return nil }
        return PreparedMessage(
            MailMessage(
                envelopeFrom: envelopeFrom, headerFrom: headerFrom, replyTo: replyTo, recipients: recipients,
                clientIP: clientIP, clientHostname: hostname, auth: auth, disposition: disposition))
    }

    /// Reads one member's value.
    mutating func field(_ key: String, at offset: Int, _ json: inout JSONParser) throws(JSONSyntaxError) {
        guard let field = Field(key) else {
            try json.skipValue()
            try unknownKeys.insert(key, at: offset)
            return found.append((0, key, .unknownField(key, in: base)))
        }
        // As the tree reader: the value is read before its key is found to be repeated.
        guard seen & field.bit == 0 else {
            try json.skipValue()
            throw JSONParser.repeated(key, at: offset)
        }
        seen |= field.bit
        let kind = try json.kind()
        switch (field, kind) {
        case (.envelopeFrom, .string):
            envelopeFrom = smtpPath(try json.string(), field, nullAllowed: true)
        case (.headerFrom, .string):
            headerFrom = headerAddresses(try json.string(), field)
        case (.replyTo, .array):
            try strings(&json, field) { reader, text, index in reader.replyTo += reader.headerAddresses(text, field, index: index) }
            if replyTo.count > EvaluationRequest.maxRecipients {
                add(.tooManyItems, "reply_to lists more than \(EvaluationRequest.maxRecipients) addresses", field)
            }
        case (.recipients, .array):
            try readRecipients(&json)
        case (.clientIP, .string):
            let text = try json.string()
            guard let block = try? IPBlock.parse(text.trimmingASCIISpaces), !text.utf8.contains(UInt8(ascii: "/")) else {
                return add(.invalidIP, "client_ip must be an IPv4 or IPv6 address, not '\(text.prefix(100))'", field)
            }
            clientIP = block
        case (.clientHostname, .string):
            let text = try json.string()
            guard text.utf8.count <= EvaluationRequest.maxTextLength else { return add(.invalidValue, "client_hostname is too long", field) }
            hostname = text.isEmpty ? nil : MatchingName.normalize(text.trimmingASCIISpaces)
        case (.auth, .object):
            var reader = AuthReader(base: base)
            auth = try reader.read(&json)
            for item in reader.problems { found.append((field.rawValue, "", item)) }
        case (.authenticationResults, .array):
            var texts: [String] = []
            try strings(&json, field) { _, text, _ in texts.append(text) }
            authenticationResults = texts
        case (.disposition, .string):
            let text = try json.string()
            guard let known = Disposition(rawValue: text) else {
                return add(.invalidValue, "disposition must be one of \(Disposition.allCases.map(\.rawValue).joined(separator: ", "))", field)
            }
            disposition = known
        case (.disposition, .null):
            try json.skipValue()
        default:
            try json.skipValue()
            let expected =
                switch field {
                case .replyTo, .recipients: "an array of strings"
                case .auth: "an object"
                case .authenticationResults: "an array of Authentication-Results header values"
                default: "a string"
                }
            found.append((field.rawValue, "", .wrongType(pointer: pointer(field), expected: expected, got: kind.name)))
        }
    }

    private func pointer(_ field: Field, index: Int? = nil) -> String {
        guard let index else { return base + "/" + field.key }
        return "\(base)/\(field.key)/\(index)"
    }

    private mutating func add(_ code: ErrorCode, _ message: String, _ field: Field, index: Int? = nil) {
        found.append((field.rawValue, "", ErrorItem(code: code, message: message, pointer: pointer(field, index: index))))
    }

    /// An array's elements that are strings, each to `element`; any other is a problem.
    private mutating func strings(
        _ json: inout JSONParser, _ field: Field, _ element: (inout MessageReader, String, Int) -> Void
    ) throws(JSONSyntaxError) {
        try json.beginArray()
        var first = true
        var index = 0
        while try json.nextElement(first: &first) {
            defer { index += 1 }
            let kind = try json.kind()
            guard kind == .string else {
                try json.skipValue()
                found.append((field.rawValue, "", .wrongType(pointer: pointer(field, index: index), expected: "a string", got: kind.name)))
                continue
            }
            element(&self, try json.string(), index)
        }
    }

    /// `recipients`: 1 to `maxRecipients` SMTP paths. Past the limit only the count is reported.
    private mutating func readRecipients(_ json: inout JSONParser) throws(JSONSyntaxError) {
        let mark = found.count
        var count = 0
        try json.beginArray()
        var first = true
        while try json.nextElement(first: &first) {
            defer { count += 1 }
            guard count < EvaluationRequest.maxRecipients else {
                try json.skipValue()
                continue
            }
            let kind = try json.kind()
            guard kind == .string else {
                try json.skipValue()
                found.append(
                    (Field.recipients.rawValue, "", .wrongType(pointer: pointer(.recipients, index: count), expected: "a string", got: kind.name)))
                continue
            }
            if let recipient = smtpPath(try json.string(), .recipients, index: count, nullAllowed: false) { recipients.append(recipient) }
        }
        if count == 0 { add(.invalidValue, "at least one recipient is required", .recipients) }
        if count > EvaluationRequest.maxRecipients {
            found.removeSubrange(mark...)
            recipients = []
            add(.tooManyItems, "at most \(EvaluationRequest.maxRecipients) recipients are accepted", .recipients)
        }
    }

    /// An SMTP path (`<bob@x.example>`, `bob@x.example`; `<>` or "" for the null sender).
    private mutating func smtpPath(_ text: String, _ field: Field, index: Int? = nil, nullAllowed: Bool) -> EmailSubject? {
        guard text.utf8.count <= EvaluationRequest.maxTextLength, let path = AddressList.smtpPath(text) else {
            add(.invalidEmail, "'\(text.prefix(100))' is not an SMTP address (local@domain, or <local@domain>)", field, index: index)
            return nil
        }
        if path.isEmpty {
            if !nullAllowed { add(.invalidEmail, "a recipient cannot be the null address <>", field, index: index) }
            return nil
        }
        guard let subject = EmailSubject(path), !subject.address.unicodeScalars.contains(where: { $0.value < 0x21 }) else {
            add(.invalidEmail, "'\(text.prefix(100))' is not an email address (local@domain)", field, index: index)
            return nil
        }
        return subject
    }

    /// A header's value (RFC 5322 address list): every address it lists.
    private mutating func headerAddresses(_ text: String, _ field: Field, index: Int? = nil) -> [EmailSubject] {
        guard text.utf8.count <= 16 * EvaluationRequest.maxTextLength else {
            add(.invalidValue, "the header value is too long", field, index: index)
            return []
        }
        do {
            var subjects: [EmailSubject] = []
            for address in try AddressList.parse(text) {
                guard let subject = EmailSubject(address) else {
                    add(.invalidEmail, "'\(address.prefix(100))' is not an email address (local@domain)", field, index: index)
                    return []
                }
                subjects.append(subject)
            }
            if field == .headerFrom, subjects.count > MailMessage.maximumHeaderFrom {
                add(.tooManyItems, "header_from lists more than \(MailMessage.maximumHeaderFrom) addresses", field)
            }
            return subjects
        } catch {
            add(.invalidEmail, "'\(text.prefix(100))' is not an RFC 5322 address list: \(error.reason)", field, index: index)
            return []
        }
    }
}
