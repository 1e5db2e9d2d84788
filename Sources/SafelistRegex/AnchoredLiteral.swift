/// Text every subject a whole-subject pattern matches must start or end with, found by reading
/// the pattern: `.*@example\.com` can only match subjects ending in `@example.com`, and
/// `10\.1\.2\.[0-9]+` only subjects starting with `10.1.2.`. The engine checks that text with a
/// hash lookup before it runs Vectorscan, and skips the scan when no pattern's text is there.
///
/// The reading must never claim too much: a wrong literal would make a policy miss subjects it
/// matches. So it understands only the plainest syntax — letters, digits, a few punctuation
/// characters, escaped punctuation, `*` `+` `?` `{n,m}`, and classes and groups as opaque
/// units — and gives up (no literal) on anything that could change what a character means:
/// inline options and verbs (`(?i)`, `(?x)`, `(*UTF8)`), `\Q…\E` quoting, a `|` at the top
/// level, an unusual brace. Tests check it against Vectorscan itself.
public struct AnchoredLiteral: Equatable, Sendable {
    public enum Anchor: Sendable { case prefix, suffix }

    public let anchor: Anchor
    /// Lowercase ASCII, at least `minimumLength` and at most `maximumLength` bytes.
    public let text: String

    /// Shorter literals would let most subjects through; longer ones add nothing to a hash.
    public static let minimumLength = 3
    public static let maximumLength = 16

    /// The longer of the pattern's prefix and suffix literals, when it has one long enough.
    public static func of(_ pattern: String) -> AnchoredLiteral? {
        guard let tokens = PatternTokens(pattern)?.tokens else { return nil }
        let prefix = leadingLiteral(tokens), suffix = trailingLiteral(tokens)
        let best =
            suffix.count >= prefix.count
            ? AnchoredLiteral(anchor: .suffix, bytes: suffix.suffix(maximumLength))
            : AnchoredLiteral(anchor: .prefix, bytes: prefix.prefix(maximumLength))
        return best.text.utf8.count >= minimumLength ? best : nil
    }

    private init(anchor: Anchor, bytes: some Collection<UInt8>) {
        self.anchor = anchor
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// Literal characters from the start, less the last one if a quantifier follows it.
    private static func leadingLiteral(_ tokens: [PatternTokens.Token]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, token) in tokens.enumerated() {
            guard case .literal(let byte) = token else { break }
            if index + 1 < tokens.count, case .quantifier = tokens[index + 1] { break }
            bytes.append(byte)
        }
        return bytes
    }

    /// Literal characters back from the end; none when the pattern ends with a quantifier.
    private static func trailingLiteral(_ tokens: [PatternTokens.Token]) -> [UInt8] {
        var bytes: [UInt8] = []
        for token in tokens.reversed() {
            guard case .literal(let byte) = token else { break }
            bytes.append(byte)
        }
        return bytes.reversed()
    }
}

/// A pattern's top level as a sequence of literal characters, quantifiers and opaque units;
/// nil when the pattern uses syntax the reading does not follow.
struct PatternTokens {
    enum Token: Equatable { case literal(UInt8), quantifier, opaque }

    private(set) var tokens: [Token] = []
    private let bytes: [UInt8]
    private var position = 0

    init?(_ pattern: String) {
        bytes = Array(pattern.utf8)
        while position < bytes.count {
            guard let token = next() else { return nil }
            if let token { tokens.append(token) }
        }
    }

    /// Plain characters that stand for themselves outside a class (lowercased later). `.` is a
    /// wildcard; `#` and space mean something else in extended mode.
    private static func isPlain(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || Array("@-_=/:,%!~'&;<>".utf8).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    /// The next token: `.some(nil)` for something that matches no character (a leading `^`, a
    /// final `$`), nil (outer) when the pattern cannot be read.
    private mutating func next() -> Token?? {
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "\\"): return escape()
        case UInt8(ascii: "["): return skipClass(from: position + 1) ? .some(.opaque) : nil
        case UInt8(ascii: "("): return skipGroup() ? .some(.opaque) : nil
        case UInt8(ascii: ")"), UInt8(ascii: "|"): return nil
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            position += 1
            return .some(.quantifier)
        case UInt8(ascii: "{"): return skipCountedRepeat() ? .some(.quantifier) : nil
        case UInt8(ascii: "^") where position == 0, UInt8(ascii: "$") where position == bytes.count - 1:
            // Only where they mean the subject's edges: the engine applies literals only to
            // subjects without line breaks, where `$` cannot match before a final newline.
            position += 1
            return .some(nil)
        default:
            position += 1
            return .some(Self.isPlain(byte) ? .literal(Self.lowercased(byte)) : .opaque)
        }
    }

    /// `\` and punctuation is that character; `\Q`/`\E` quoting is not followed; any other
    /// escape is an opaque unit, with whatever arguments it may take (`\x41`, `\x{41}`, `\cA`,
    /// `\p{L}`): the letters and digits after it and a braced or bracketed argument.
    private mutating func escape() -> Token?? {
        guard position + 1 < bytes.count else { return nil }
        let escaped = bytes[position + 1]
        position += 2
        if escaped > 0x20, escaped < 0x7F, !Self.isAlphanumeric(escaped) { return .some(.literal(escaped)) }
        if escaped == UInt8(ascii: "Q") || escaped == UInt8(ascii: "E") { return nil }
        if escaped == UInt8(ascii: "c") {
            position += 1
            return position <= bytes.count ? .some(.opaque) : nil
        }
        while position < bytes.count, Self.isAlphanumeric(bytes[position]) { position += 1 }
        if position < bytes.count,
            let close = [
                UInt8(ascii: "{"): UInt8(ascii: "}"), UInt8(ascii: "<"): UInt8(ascii: ">"),
                UInt8(ascii: "'"): UInt8(ascii: "'"),
            ][bytes[position]]
        {
            guard let end = bytes[(position + 1)...].firstIndex(of: close) else { return nil }
            position = end + 1
        }
        return .some(.opaque)
    }

    /// `{n}`, `{n,}` or `{n,m}`; any other brace is refused rather than guessed at.
    private mutating func skipCountedRepeat() -> Bool {
        var index = position + 1
        var digits = 0, commas = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: "}") {
            if bytes[index] == UInt8(ascii: ",") {
                commas += 1
            } else if bytes[index] >= 0x30, bytes[index] <= 0x39 {
                digits += 1
            } else {
                return false
            }
            index += 1
        }
        guard index < bytes.count, digits > 0, commas <= 1, bytes[position + 1] != UInt8(ascii: ",") else { return false }
        position = index + 1
        return true
    }

    /// Moves past a class whose `[` is just before `start`: a `]` first (after an optional `^`)
    /// is a member, escapes are skipped, POSIX names like `[:alpha:]` are whole.
    private mutating func skipClass(from start: Int) -> Bool {
        var index = start
        if index < bytes.count, bytes[index] == UInt8(ascii: "^") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1 }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "]"):
                position = index + 1
                return true
            case UInt8(ascii: "\\"):
                index += 2
            case UInt8(ascii: "[")
            where index + 1 < bytes.count && [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "=")].contains(bytes[index + 1]):
                let kind = bytes[index + 1]
                var end = index + 2
                while end + 1 < bytes.count, !(bytes[end] == kind && bytes[end + 1] == UInt8(ascii: "]")) { end += 1 }
                guard end + 1 < bytes.count else { return false }
                index = end + 2
            default:
                index += 1
            }
        }
        return false
    }

    /// Moves past a group to its matching `)`. Only plain and `(?:` groups are followed: any
    /// other `(?` or `(*` may be a comment, an option or a verb that changes how text reads.
    private mutating func skipGroup() -> Bool {
        var depth = 0
        var index = position
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "("):
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") { return false }
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?") {
                    guard index + 2 < bytes.count, bytes[index + 2] == UInt8(ascii: ":") else { return false }
                }
                depth += 1
                index += 1
            case UInt8(ascii: ")"):
                depth -= 1
                index += 1
                if depth == 0 {
                    position = index
                    return true
                }
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return false }
                if bytes[index + 1] == UInt8(ascii: "Q") || bytes[index + 1] == UInt8(ascii: "E") { return false }
                index += 2
            case UInt8(ascii: "["):
                let saved = position
                guard skipClass(from: index + 1) else { return false }
                index = position
                position = saved
            default:
                index += 1
            }
        }
        return false
    }
}
