/// A failure reported to whoever asked: the API's client, the CLI's user. `kind` says what went
/// wrong in the domain's terms; the HTTP layer maps each kind to a status (`SafelistAPI`).
public struct SafelistError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The request is not acceptable as sent: a malformed body, a bad field, a bad parameter.
        case invalid
        case notFound
        case conflict
        case missingCredentials
        case malformedCredentials
        /// Unknown, revoked or expired credentials.
        case authentication
        /// Valid credentials without the permission or the account.
        case unauthorized
        case unavailable
        case internalError
    }

    public var kind: Kind
    public var errors: [ErrorItem]

    public init(_ kind: Kind, _ errors: [ErrorItem]) {
        self.kind = kind
        self.errors = errors
    }

    public init(_ kind: Kind, code: ErrorCode, _ message: String, pointer: String? = nil) {
        self.init(kind, [ErrorItem(code: code, message: message, pointer: pointer)])
    }

    // The failures raised from more than one place.

    public static func validation(_ items: [ErrorItem]) -> SafelistError {
        SafelistError(.invalid, items)
    }

    public static func policyNotFound(pointer: String? = nil) -> SafelistError {
        SafelistError(.notFound, code: .policyNotFound, "Allow policy not found", pointer: pointer)
    }

    public static func duplicatePattern(pointer: String? = nil) -> SafelistError {
        SafelistError(
            .conflict, code: .duplicatePattern,
            "An allow policy with the same pattern, pattern_type and is_regex already exists in this account",
            pointer: pointer
        )
    }

    public static let unauthorized = SafelistError(
        .unauthorized, code: .unauthorized, "Unauthorized to access requested resource")

    public static func unavailable(_ detail: String) -> SafelistError {
        SafelistError(.unavailable, code: .storeUnavailable, "The policy store is unavailable: \(detail)")
    }

    public static func internalError(_ detail: String) -> SafelistError {
        SafelistError(.internalError, code: .internalError, detail)
    }
}

extension SafelistError: CustomStringConvertible {
    /// The messages, as a command prints them: never the type's fields.
    public var description: String { errors.map(\.message).joined(separator: "; ") }
}
