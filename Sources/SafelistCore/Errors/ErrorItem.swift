import Foundation

/// One entry of the envelope's `errors` or `messages`. `pointer` locates a body field (JSON
/// Pointer from the body's root); `parameter` names a query parameter.
public struct ErrorItem: Sendable, Equatable {
    public var code: ErrorCode
    public var message: String
    public var pointer: String?
    public var parameter: String?
    public var chain: [ErrorItem]

    public init(
        code: ErrorCode, message: String, pointer: String? = nil, parameter: String? = nil,
        chain: [ErrorItem] = []
    ) {
        self.code = code
        self.message = message
        self.pointer = pointer
        self.parameter = parameter
        self.chain = chain
    }

    /// A body field of the wrong JSON type: "enabled must be a boolean, not string".
    public static func wrongType(pointer: String, expected: String, got typeName: String) -> ErrorItem {
        // "recipients[3]", not "3": an array element is named with its array.
        let parts = pointer.split(separator: "/")
        var name = parts.last.map(String.init) ?? "body"
        if parts.count >= 2, !name.isEmpty, name.allSatisfy({ $0.isASCII && $0.isNumber }) { name = "\(parts[parts.count - 2])[\(name)]" }
        return ErrorItem(code: .wrongType, message: "\(name) must be \(expected), not \(typeName)", pointer: pointer)
    }

    /// A body field no schema has; `object` is the pointer of the object that holds it.
    public static func unknownField(_ key: String, in object: String = "") -> ErrorItem {
        ErrorItem(code: .unknownField, message: "Unknown field \(key)", pointer: object + "/" + jsonPointerToken(key))
    }

    /// The same problem located inside an enclosing document (batch items).
    public func nested(under prefix: String) -> ErrorItem {
        var copy = self
        copy.pointer = prefix + (pointer ?? "")
        return copy
    }
}

/// Escapes a key for use in a JSON Pointer (RFC 6901).
public func jsonPointerToken(_ key: String) -> String {
    key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
}
