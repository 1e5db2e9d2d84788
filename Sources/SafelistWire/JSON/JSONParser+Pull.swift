import SafelistCore

/// Reading a document member by member, for a reader that builds its own values as it goes
/// (an evaluate request's messages) instead of a `JSONValue` tree first. The tree is built with
/// these same steps, so both accept exactly the same documents with the same errors.
extension JSONParser {
    /// JSON's kinds of value, told by a value's first byte.
    enum Kind {
        case null, bool, number, string, array, object

        /// For error messages (`JSONValue.typeName` too).
        var name: String {
            switch self {
            case .null: "null"
            case .bool: "boolean"
            case .number: "number"
            case .string: "string"
            case .array: "array"
            case .object: "object"
            }
        }
    }

    /// Reads one whole document with `read`, which must consume one value; nothing but
    /// whitespace may follow it.
    static func read<T>(
        _ bytes: UnsafeRawBufferPointer, _ read: (inout JSONParser) throws(JSONSyntaxError) -> T
    ) throws(JSONSyntaxError) -> T {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let result = try read(&parser)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected text after the document") }
        return result
    }

    /// The kind of the value that starts here.
    func kind() throws(JSONSyntaxError) -> Kind {
        guard let byte = current else { throw error("the document ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character '\(Self.printable(byte))' where a value was expected")
        }
    }

    /// Steps over the value that starts here, checking it as the tree reader would.
    mutating func skipValue() throws(JSONSyntaxError) {
        _ = try value()
    }

    /// Enters the object that starts here; `nextKey` then walks its members.
    mutating func beginObject() throws(JSONSyntaxError) {
        try enter()
        position += 1
    }

    /// The next member's key (and where it starts), leaving the parser at its value; nil at the
    /// object's end. `first` is true before the first member.
    mutating func nextKey(first: inout Bool) throws(JSONSyntaxError) -> (key: String, offset: Int)? {
        skipWhitespace()
        if first {
            first = false
            if current == UInt8(ascii: "}") {
                leave()
                return nil
            }
        } else {
            switch current {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                leave()
                return nil
            default: throw error("expected ',' or '}' in an object")
            }
        }
        guard current == UInt8(ascii: "\"") else {
            throw error(current == UInt8(ascii: "}") ? "a comma before '}' (trailing commas are not JSON)" : "an object key must be a string")
        }
        let offset = position
        let key = try string()
        skipWhitespace()
        guard current == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
        position += 1
        skipWhitespace()
        return (key, offset)
    }

    /// Enters the array that starts here; `nextElement` then walks its elements.
    mutating func beginArray() throws(JSONSyntaxError) {
        try enter()
        position += 1
    }

    /// Whether another element follows, leaving the parser at it. `first` is true before the
    /// first element.
    mutating func nextElement(first: inout Bool) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if first {
            first = false
            if current == UInt8(ascii: "]") {
                leave()
                return false
            }
            return true
        }
        switch current {
        case UInt8(ascii: ","):
            position += 1
            skipWhitespace()
        case UInt8(ascii: "]"):
            leave()
            return false
        default: throw error("expected ',' or ']' in an array")
        }
        if current == UInt8(ascii: "]") { throw error("a comma before ']' (trailing commas are not JSON)") }
        return true
    }

    /// Steps past a container's closing byte.
    private mutating func leave() {
        position += 1
        depth -= 1
    }

    /// A key seen twice in one object: which value would win is not the client's guess.
    static func repeated(_ key: String, at offset: Int) -> JSONSyntaxError {
        JSONSyntaxError(reason: "the key \"\(key.prefix(64))\" appears twice in one object", offset: offset)
    }
}

/// The keys of one object being read member by member, to refuse a repeated one as the tree
/// reader does. A few keys are compared in a list; past that a set keeps a hostile object of
/// many keys linear.
struct ObjectKeys {
    private var few: [String] = []
    private var many: Set<String> = []

    /// Adds `key`, or throws if the object had it already. Called once the member's value has
    /// been read, as the tree reader finds a repeated key.
    mutating func insert(_ key: String, at offset: Int) throws(JSONSyntaxError) {
        if many.isEmpty, few.count < 16 {
            guard !few.contains(key) else { throw JSONParser.repeated(key, at: offset) }
            few.append(key)
            return
        }
        if many.isEmpty { many = Set(few) }
        guard many.insert(key).inserted else { throw JSONParser.repeated(key, at: offset) }
    }
}
