/// Writes JSON straight into bytes, fields in the order the writer gives them: what every answer
/// is written with. Foundation's `JSONEncoder` built a tree of boxes for each value and sorted
/// the keys of each object at run time, half of a GET's encoding time; clients do not care about
/// the order, and tests compare parsed bodies.
///
/// Strings are written as UTF-8, escaping only what JSON requires (quote, backslash, control
/// characters); `/` is not escaped. `pretty` indents by two spaces, for the CLI.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private let pretty: Bool
    private var depth = 0
    /// Whether the current object or array has a member already: the next one needs a comma.
    private var hasMember = false
    /// A key was written: the next value is its member's.
    private var pendingKey = false

    public init(pretty: Bool = false, capacity: Int = 512) {
        self.pretty = pretty
        bytes.reserveCapacity(capacity)
    }

    /// An object whose members `body` writes with `key` and the value writers.
    public mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        try container(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"), body)
    }

    public mutating func array(_ body: (inout JSONWriter) throws -> Void) rethrows {
        try container(open: UInt8(ascii: "["), close: UInt8(ascii: "]"), body)
    }

    /// An array with one element per item.
    public mutating func array<S: Sequence>(_ items: S, _ element: (inout JSONWriter, S.Element) throws -> Void) rethrows {
        try array { writer in
            for item in items { try element(&writer, item) }
        }
    }

    /// The next member's name; its value follows.
    public mutating func key(_ name: String) {
        separate()
        string(name, asValue: false)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
        // The value that follows is this member's: no comma before it.
        pendingKey = true
    }

    public mutating func string(_ value: String) {
        string(value, asValue: true)
    }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    public mutating func int(_ value: Int) {
        separate()
        if value == 0 { return bytes.append(UInt8(ascii: "0")) }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Digits are written backwards into a small buffer, then copied.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while magnitude > 0 {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: Self.nullBytes)
    }

    /// Bytes that already are one JSON value.
    public mutating func raw(_ json: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
    }

    // MARK: - Layout

    private mutating func container(open: UInt8, close: UInt8, _ body: (inout JSONWriter) throws -> Void) rethrows {
        separate()
        bytes.append(open)
        depth += 1
        hasMember = false
        try body(&self)
        depth -= 1
        if pretty && hasMember { newline() }
        bytes.append(close)
        hasMember = true
    }

    /// Before a value or a key: the comma after the previous member and, pretty, the new line.
    private mutating func separate() {
        if pendingKey {
            pendingKey = false
            return
        }
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        if pretty && depth > 0 { newline() }
        hasMember = true
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<depth { bytes.append(contentsOf: Self.indent) }
    }

    private mutating func string(_ value: String, asValue: Bool) {
        if asValue { separate() }
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                escape(byte)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8)
    private static let indent = Array("  ".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// A value that writes itself as JSON.
public protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}

extension JSONWritable {
    /// The value alone, as bytes.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        write(to: &writer)
        return writer.bytes
    }
}
