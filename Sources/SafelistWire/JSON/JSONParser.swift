import Foundation
import SafelistCore

/// Reads a request body into a `JSONValue` in one pass over its bytes: every byte is looked at
/// a bounded number of times whatever the document's shape, so a hostile body costs time in
/// proportion to its size. Stricter than RFC 8259 allows a parser to be, on purpose:
///
/// - nesting deeper than `maximumDepth` is refused (a clear 400, not a deep recursion);
/// - a key repeated in one object is refused (which value would win is not the client's guess);
/// - trailing commas, comments and leading zeros are refused, as the grammar says;
/// - U+0000 in a string, raw or escaped, is refused: stores and logs would cut the text there;
/// - malformed UTF-8 and lone surrogates in `\u` escapes are refused.
public struct JSONParser {
    /// Safelist's documents nest five deep at most (an evaluate batch's DKIM results).
    public static let maximumDepth = 32

    let bytes: UnsafeRawBufferPointer
    var position = 0
    var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The document, or why it is not one (with the byte offset where reading stopped).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        try read(bytes) { parser throws(JSONSyntaxError) in try parser.value() }
    }

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONSyntaxError) in try parse(UnsafeRawBufferPointer(buffer)) }
        }
        if let result { return try result.get() }
        let copied = Array(bytes).withUnsafeBytes { buffer in Result { () throws(JSONSyntaxError) in try parse(buffer) } }
        return try copied.get()
    }

    func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(reason: reason, offset: position)
    }

    @inline(__always)
    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The value that starts here, read whole.
    mutating func value() throws(JSONSyntaxError) -> JSONValue {
        switch try kind() {
        case .object: return try object()
        case .array: return try array()
        case .string: return .string(try string())
        case .bool where current == UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case .bool: try literal("false"); return .bool(false)
        case .null: try literal("null"); return .null
        case .number: return .number(try number())
        }
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw error("the document nests deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try beginObject()
        var members: [String: JSONValue] = [:]
        // Room for a message's or a policy's fields at once, rather than growing twice.
        members.reserveCapacity(8)
        var first = true
        while let (key, keyStart) = try nextKey(first: &first) {
            let member = try value()
            guard members.updateValue(member, forKey: key) == nil else { throw Self.repeated(key, at: keyStart) }
        }
        return .object(members)
    }

    private mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try beginArray()
        var elements: [JSONValue] = []
        var first = true
        while try nextElement(first: &first) { elements.append(try value()) }
        return .array(elements)
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count, let base = bytes.baseAddress,
            memcmp(base + position, word.utf8Start, count) == 0
        else { throw error("unexpected text where a value was expected") }
        position += count
    }

    /// A string's content. The common case, no escape, is one scan and one validated copy.
    mutating func string() throws(JSONSyntaxError) -> String {
        position += 1
        let start = position
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            ascii = ascii && byte < 0x80
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                // ASCII is valid UTF-8 as it stands: no validation pass (an eighth of an
                // evaluate request's time went to validating addresses).
                let text = ascii ? String(decoding: raw, as: UTF8.self) : try decode(raw, at: start)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 {
                throw error(byte == 0 ? "a string holds U+0000, which is not accepted" : "a string holds an unescaped control character")
            }
            position += 1
        }
        throw error("a string is not closed")
    }

    /// The rest of a string that has an escape: bytes are gathered into a buffer and decoded once.
    private mutating func escapedString(from start: Int) throws(JSONSyntaxError) -> String {
        var buffer = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                let decoded = buffer.withUnsafeBytes { raw in Result { () throws(JSONSyntaxError) in try decode(raw, at: start) } }
                return try decoded.get()
            case UInt8(ascii: "\\"):
                position += 1
                guard let escaped = current else { throw error("a string is not closed") }
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escaped)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &buffer)
                default: throw error("'\\\(Self.printable(escaped))' is not a JSON escape")
                }
            default:
                if byte < 0x20 {
                    throw error(byte == 0 ? "a string holds U+0000, which is not accepted" : "a string holds an unescaped control character")
                }
                buffer.append(byte)
                position += 1
            }
        }
        throw error("a string is not closed")
    }

    private mutating func appendUnicodeEscape(to buffer: inout [UInt8]) throws(JSONSyntaxError) {
        var scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("a \\u escape holds a lone surrogate")
            }
            position += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("a \\u escape holds a lone surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw error("a \\u escape holds a lone surrogate")
        }
        guard scalar != 0 else { throw error("a string holds U+0000, which is not accepted") }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("a \\u escape is not a Unicode scalar") }
        UTF8.encode(unicode) { buffer.append($0) }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw error("a \\u escape needs four hexadecimal digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape needs four hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private func decode(_ raw: UnsafeRawBufferPointer, at offset: Int) throws(JSONSyntaxError) -> String {
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw JSONSyntaxError(reason: "a string is not valid UTF-8", offset: offset)
        }
        return text
    }

    /// RFC 8259's number grammar, read into a Double.
    private mutating func number() throws(JSONSyntaxError) -> Double {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
            throw error("a number needs a digit after '-'")
        }
        position += 1
        if first == UInt8(ascii: "0"), let next = current, next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") {
            throw error("a number may not start with a leading zero")
        }
        skipDigits()
        if current == UInt8(ascii: ".") {
            position += 1
            guard digitsFollow() else { throw error("a number needs a digit after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digitsFollow() else { throw error("a number needs a digit in its exponent") }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw JSONSyntaxError(reason: "a number is out of range", offset: start) }
        return value
    }

    private mutating func skipDigits() {
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
    }

    private mutating func digitsFollow() -> Bool {
        let start = position
        skipDigits()
        return position > start
    }

    static func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }
}

/// Why a body is not JSON Safelist accepts, and where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public var reason: String
    public var offset: Int
}
