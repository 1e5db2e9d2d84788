import Foundation
import SafelistCore

/// A parsed JSON document. Request bodies are read into this first so that every problem (wrong
/// types, unknown fields, bad values) can be reported at once with its pointer, which `Decodable`
/// cannot do: it stops at the first error.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a request body; the error says what is wrong for the client.
    public static func parse(_ data: Data) throws(SafelistError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw SafelistError(.invalid, code: .malformedJSON, "The request body is not valid JSON")
        }
    }

    /// The JSON type name used in error messages.
    public var typeName: String {
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
