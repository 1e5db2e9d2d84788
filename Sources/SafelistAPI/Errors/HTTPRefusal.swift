import HTTPTypes
import Hummingbird
import SafelistCore

/// A refusal that exists only over HTTP: no route, a method the path does not take, a body of
/// the wrong type or size, the rate limit. Domain failures are `SafelistError`s.
struct HTTPRefusal: Error, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case noRoute
        case methodNotAllowed(allowed: [String])
        case unsupportedContentType
        case bodyTooLarge
        case rateLimited(retryAfterSeconds: Int)
        case busy
    }

    var kind: Kind
    var errors: [ErrorItem]

    static func noRoute(_ what: String = "the requested resource") -> HTTPRefusal {
        HTTPRefusal(
            kind: .noRoute,
            errors: [
                ErrorItem(code: .couldNotRoute, message: "Could not route to \(what), perhaps your object identifier is invalid?"),
                ErrorItem(code: .noRoute, message: "No route for that URI"),
            ])
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [String]) -> HTTPRefusal {
        HTTPRefusal(
            kind: .methodNotAllowed(allowed: allowed),
            errors: [
                ErrorItem(
                    code: .methodNotAllowed,
                    message: "Method \(method) is not allowed here; allowed: \(allowed.joined(separator: ", "))")
            ])
    }

    static let unsupportedContentType = HTTPRefusal(
        kind: .unsupportedContentType,
        errors: [
            ErrorItem(
                code: .unsupportedContentType, message: "The request body must be sent as Content-Type: application/json")
        ])

    static let bodyTooLarge = HTTPRefusal(
        kind: .bodyTooLarge,
        errors: [
            ErrorItem(
                code: .bodyTooLarge, message: "The request body is too large")
        ])

    static let busy = HTTPRefusal(
        kind: .busy,
        errors: [
            ErrorItem(
                code: .serverBusy, message: "The server is reading too many large request bodies at once; retry shortly")
        ])

    static func rateLimited(retryAfter seconds: Int) -> HTTPRefusal {
        HTTPRefusal(
            kind: .rateLimited(retryAfterSeconds: seconds),
            errors: [
                ErrorItem(
                    code: .rateLimited, message: "Please wait and consider throttling your request speed")
            ])
    }
}

extension HTTPRefusal: HTTPResponseError {
    var status: HTTPResponse.Status {
        switch kind {
        case .noRoute: .badRequest
        case .methodNotAllowed: .methodNotAllowed
        case .unsupportedContentType: .unsupportedMediaType
        case .bodyTooLarge: .contentTooLarge
        case .rateLimited: .tooManyRequests
        case .busy: .serviceUnavailable
        }
    }

    var headers: HTTPFields {
        switch kind {
        case .methodNotAllowed(let allowed): [.allow: allowed.joined(separator: ", ")]
        case .rateLimited(let seconds): [.retryAfter: String(seconds)]
        case .busy: [.retryAfter: "1"]
        default: [:]
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        EnvelopeResponse.failure(errors, status: status, headers: headers)
    }
}
