/// One entry of the envelope's `errors` or `messages`. `pointer` locates a body field (JSON
/// Pointer from the body's root); `parameter` names a query parameter.
public struct ErrorItem: Sendable, Equatable {
    public var code: Int
    public var message: String
    public var pointer: String?
    public var parameter: String?
    public var chain: [ErrorItem]

    public init(
        code: Int, message: String, pointer: String? = nil, parameter: String? = nil,
        chain: [ErrorItem] = []
    ) {
        self.code = code
        self.message = message
        self.pointer = pointer
        self.parameter = parameter
        self.chain = chain
    }

    /// The same problem located inside an enclosing document (batch items).
    public func nested(under prefix: String) -> ErrorItem {
        var copy = self
        copy.pointer = prefix + (pointer ?? "")
        return copy
    }
}
