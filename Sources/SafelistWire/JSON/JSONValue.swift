import Foundation
import SafelistCore

/// A parsed JSON document. Request bodies are read into this first (`JSONParser`) so that every
/// problem (wrong types, unknown fields, bad values) can be reported at once with its pointer,
/// which `Decodable` cannot do: it stops at the first error.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a request body; the error says what is wrong, and where, for the client.
    public static func parse(_ bytes: some Collection<UInt8>) throws(SafelistError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw error.refusal
        }
    }

    /// The JSON type name used in error messages.
    public var typeName: String { kind.name }

    var kind: JSONParser.Kind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }
}

extension JSONValue {
    public var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }
}

extension ErrorItem {
    /// A body field of the wrong JSON type: "enabled must be a boolean, not string".
    public static func wrongType(pointer: String, expected: String, got value: JSONValue) -> ErrorItem {
        wrongType(pointer: pointer, expected: expected, got: value.typeName)
    }
}
