import HTTPTypes
import Hummingbird
import SafelistCore

/// The HTTP face of the domain's failures: each kind's status, and the headers clients need.
extension SafelistError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch kind {
        case .invalid, .missingCredentials, .malformedCredentials: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .authentication, .unauthorized: .forbidden
        case .unavailable: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }

    /// The official SDKs retry 409 unless told not to; a duplicate stays a duplicate.
    var headers: HTTPFields {
        guard kind == .conflict, let name = EnvelopeResponse.shouldRetry else { return [:] }
        return [name: "false"]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        EnvelopeResponse.failure(errors, status: status, headers: headers)
    }
}
