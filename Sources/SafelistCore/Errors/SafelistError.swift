/// A failure the API reports to its client. `kind` decides the HTTP status and headers in the
/// HTTP layer; the items are what the client reads.
public struct SafelistError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case validation
        case malformedJSON
        case unsupportedContentType
        case bodyTooLarge
        case notFound
        case conflict
        case noRoute
        case methodNotAllowed(allowed: [String])
        case missingCredentials
        case malformedCredentials
        case authentication
        case unauthorized
        case rateLimited(retryAfterSeconds: Int)
        case unavailable
        case internalError
    }

    public var kind: Kind
    public var errors: [ErrorItem]

    public init(_ kind: Kind, _ errors: [ErrorItem]) {
        self.kind = kind
        self.errors = errors
    }

    public init(_ kind: Kind, code: Int, _ message: String, pointer: String? = nil) {
        self.init(kind, [ErrorItem(code: code, message: message, pointer: pointer)])
    }

    public var httpStatus: Int {
        switch kind {
        case .validation, .malformedJSON, .noRoute, .missingCredentials, .malformedCredentials: 400
        case .unsupportedContentType: 415
        case .bodyTooLarge: 413
        case .notFound: 404
        case .conflict: 409
        case .methodNotAllowed: 405
        case .authentication, .unauthorized: 403
        case .rateLimited: 429
        case .unavailable: 503
        case .internalError: 500
        }
    }

    // The failures raised from more than one place.

    public static func validation(_ items: [ErrorItem]) -> SafelistError {
        SafelistError(.validation, items)
    }

    public static func policyNotFound(pointer: String? = nil) -> SafelistError {
        SafelistError(.notFound, code: ErrorCode.policyNotFound, "Allow policy not found", pointer: pointer)
    }

    public static func duplicatePattern(pointer: String? = nil) -> SafelistError {
        SafelistError(
            .conflict, code: ErrorCode.duplicatePattern,
            "An allow policy with the same pattern, pattern_type and is_regex already exists in this account",
            pointer: pointer
        )
    }

    public static func noRoute(_ what: String = "the requested resource") -> SafelistError {
        SafelistError(.noRoute, [
            ErrorItem(code: ErrorCode.couldNotRoute,
                      message: "Could not route to \(what), perhaps your object identifier is invalid?"),
            ErrorItem(code: ErrorCode.noRoute, message: "No route for that URI"),
        ])
    }

    public static let unauthorized = SafelistError(
        .unauthorized, code: ErrorCode.unauthorized, "Unauthorized to access requested resource")

    public static func unavailable(_ detail: String) -> SafelistError {
        SafelistError(.unavailable, code: ErrorCode.storeUnavailable, "The policy store is unavailable: \(detail)")
    }
}
