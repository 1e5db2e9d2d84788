/// The addresses of a header field that holds an address list (RFC 5322 §3.4: `From:`,
/// `Reply-To:`), parsed rather than pattern-matched: display names and quoted strings are
/// skipped as names, comments (nested, with `<…>` inside them) are only comments, groups give
/// their members (`Undisclosed recipients:;` gives none), and the obsolete forms a real MTA
/// passes on (routes, dots in phrases, CFWS around dots) are read. UTF-8 is allowed where
/// RFC 6532 allows it. Every address listed is returned, in order, as `local@domain`.
public enum AddressList {
    public struct Problem: Error, Sendable, Equatable {
        public let reason: String
    }

    /// At most this many addresses are read from one header value.
    public static let maximumAddresses = 1000

    public static func parse(_ text: String) throws(Problem) -> [String] {
        if let plain = plainAddress(text) { return [plain] }
        return try parseFully(text)
    }

    static func parseFully(_ text: String) throws(Problem) -> [String] {
        var parser = Parser(tokens: try Tokenizer.tokens(Array(text.unicodeScalars)))
        return try parser.addressList()
    }

    /// Most headers hold one bare `local@domain` of ASCII atoms and dots: what the full parse
    /// would return for it is the text itself, found without tokenizing (a fifth of an
    /// evaluate request's time went to the tokenizer). Nil for anything else.
    static func plainAddress(_ text: String) -> String? {
        var sawAt = false, previousWasDot = true
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "@"):
                guard !sawAt, !previousWasDot else { return nil }
                sawAt = true
                previousWasDot = true
            case UInt8(ascii: "."):
                guard !previousWasDot else { return nil }
                previousWasDot = true
            default:
                guard byte < 0x80, Tokenizer.isAtext(Unicode.Scalar(byte)) else { return nil }
                previousWasDot = false
            }
        }
        return sawAt && !previousWasDot ? text : nil
    }

    /// An SMTP path as `MAIL FROM` and `RCPT TO` carry it (RFC 5321 §4.1.2): `<bob@x.example>`,
    /// the same without brackets, or `<>` (empty: the null sender). A source route
    /// (`<@relay:bob@x.example>`) is dropped. Nil when the text is not one.
    public static func smtpPath(_ text: String) -> String? {
        var value = Substring(text.trimmingASCIISpaces)
        if value.hasPrefix("<") {
            guard value.hasSuffix(">") else { return nil }
            value = value.dropFirst().dropLast()
            if value.hasPrefix("@"), let colon = value.firstIndex(of: ":") { value = value[value.index(after: colon)...] }
        }
        // Bytes, not `contains("<")`: on a Substring that is Foundation's string search.
        guard !value.utf8.contains(UInt8(ascii: "<")), !value.utf8.contains(UInt8(ascii: ">")) else { return nil }
        return String(value)
    }

    enum Token: Equatable {
        case atom(String)
        case quoted(String)
        /// A domain literal, brackets included.
        case literal(String)
        case special(Unicode.Scalar)
    }

    private enum Tokenizer {
        /// Tokens with comments and folding white space dropped.
        static func tokens(_ scalars: [Unicode.Scalar]) throws(Problem) -> [Token] {
            var tokens: [Token] = []
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                switch scalar {
                case " ", "\t", "\r", "\n":
                    index += 1
                case "(":
                    index = try skipComment(scalars, from: index)
                case "\"":
                    let (text, next) = try quoted(scalars, from: index)
                    tokens.append(.quoted(text))
                    index = next
                case "[":
                    guard let close = scalars[index...].firstIndex(of: "]") else { throw Problem(reason: "a domain literal is not closed") }
                    tokens.append(.literal(String(String.UnicodeScalarView(scalars[index...close]))))
                    index = close + 1
                case "<", ">", "@", ",", ";", ":", ".":
                    tokens.append(.special(scalar))
                    index += 1
                case ")", "]", "\\":
                    throw Problem(reason: "'\(scalar)' is out of place")
                default:
                    guard isAtext(scalar) else {
                        throw Problem(reason: "the character U+\(String(scalar.value, radix: 16, uppercase: true)) is not allowed here")
                    }
                    var end = index
                    while end < scalars.count, isAtext(scalars[end]) { end += 1 }
                    tokens.append(.atom(String(String.UnicodeScalarView(scalars[index..<end]))))
                    index = end
                }
            }
            return tokens
        }

        static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
            if scalar.value > 0x7F { return !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control }
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9": return true
            default: return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
            }
        }

        /// Past a comment that starts at `start`: comments nest, and `\` quotes one character.
        static func skipComment(_ scalars: [Unicode.Scalar], from start: Int) throws(Problem) -> Int {
            var depth = 0, index = start
            while index < scalars.count {
                switch scalars[index] {
                case "(": depth += 1
                case ")":
                    depth -= 1
                    if depth == 0 { return index + 1 }
                case "\\": index += 1
                default: break
                }
                index += 1
            }
            throw Problem(reason: "a comment is not closed")
        }

        static func quoted(_ scalars: [Unicode.Scalar], from start: Int) throws(Problem) -> (String, Int) {
            var text = String.UnicodeScalarView()
            var index = start + 1
            while index < scalars.count {
                switch scalars[index] {
                case "\"": return (String(text), index + 1)
                case "\\":
                    guard index + 1 < scalars.count else { throw Problem(reason: "a quoted string is not closed") }
                    text.append(scalars[index + 1])
                    index += 2
                case "\r", "\n":
                    index += 1
                default:
                    text.append(scalars[index])
                    index += 1
                }
            }
            throw Problem(reason: "a quoted string is not closed")
        }
    }

    private struct Parser {
        let tokens: [Token]
        var position = 0
        var found: [String] = []

        init(tokens: [Token]) {
            self.tokens = tokens
        }

        var current: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func addressList() throws(Problem) -> [String] {
            while current != nil {
                // Empty elements are allowed (obs-addr-list).
                if current == .special(",") {
                    position += 1
                    continue
                }
                try address()
                if current == .special(",") { position += 1 } else if current != nil { throw Problem(reason: "expected ',' between addresses") }
                if found.count > maximumAddresses { throw Problem(reason: "it lists more than \(maximumAddresses) addresses") }
            }
            return found
        }

        /// A mailbox, or a group of them.
        mutating func address() throws(Problem) {
            let words = phrase()
            switch current {
            case .special(":")?:
                position += 1
                while current != .special(";") {
                    guard current != nil else { throw Problem(reason: "a group is not closed with ';'") }
                    if current == .special(",") {
                        position += 1
                        continue
                    }
                    try mailbox()
                }
                position += 1
            default:
                position -= words.count
                try mailbox()
            }
        }

        mutating func mailbox() throws(Problem) {
            let words = phrase()
            switch current {
            case .special("<")?:
                position += 1
                if current == .special("@") {
                    // An obsolete route, `@relay1,@relay2:`: skipped.
                    while let token = current, token != .special(":") {
                        if token == .special(">") { throw Problem(reason: "a route has no ':'") }
                        position += 1
                    }
                    position += 1
                }
                let local = phrase()
                guard current == .special("@") else { throw Problem(reason: "an address in <> needs local@domain") }
                position += 1
                let domain = try self.domain()
                guard current == .special(">") else { throw Problem(reason: "'<' is not closed with '>'") }
                position += 1
                try found.append(Self.addrSpec(local, domain))
            case .special("@")?:
                position += 1
                try found.append(Self.addrSpec(words, try domain()))
            default:
                if words.isEmpty { throw Problem(reason: "expected an address") }
                throw Problem(reason: "'\(Self.text(words))' is not an address (no @)")
            }
        }

        /// Words (atoms and quoted strings) and dots, up to anything else.
        mutating func phrase() -> [Token] {
            var words: [Token] = []
            while let token = current {
                switch token {
                case .atom, .quoted, .special("."):
                    words.append(token)
                    position += 1
                default:
                    return words
                }
            }
            return words
        }

        mutating func domain() throws(Problem) -> String {
            if case .literal(let literal)? = current {
                position += 1
                return literal
            }
            var labels: [String] = []
            while case .atom(let label)? = current {
                labels.append(label)
                position += 1
                guard current == .special(".") else { break }
                position += 1
            }
            guard !labels.isEmpty else { throw Problem(reason: "an address has no domain after '@'") }
            return labels.joined(separator: ".")
        }

        /// The local part as text: atoms joined by their dots; a quoted word that is a plain
        /// atom is the same as that atom (`"bob"@x` is `bob@x`), others stay quoted.
        static func addrSpec(_ local: [Token], _ domain: String) throws(Problem) -> String {
            var text = ""
            for token in local {
                switch token {
                case .atom(let atom): text += atom
                case .quoted(let quoted):
                    text +=
                        quoted.unicodeScalars.allSatisfy(Tokenizer.isAtext) && !quoted.isEmpty
                        ? quoted : "\"" + quoted.replacingQuotes() + "\""
                case .special("."): text += "."
                default: break
                }
            }
            guard !text.isEmpty else { throw Problem(reason: "an address has nothing before '@'") }
            return text + "@" + domain
        }

        static func text(_ words: [Token]) -> String {
            words.map { token -> String in
                switch token {
                case .atom(let atom): atom
                case .quoted(let quoted): "\"\(quoted)\""
                case .literal(let literal): literal
                case .special(let scalar): String(scalar)
                }
            }.joined(separator: " ").prefix(80).description
        }
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var escaped = ""
        for character in self {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
