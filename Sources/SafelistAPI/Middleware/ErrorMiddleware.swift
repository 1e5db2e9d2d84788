import Hummingbird
import Logging
import NIOCore
import SafelistCore

/// Turns every failure into the v4 envelope: the API's own errors, the router's "no route"
/// (7003/7000, or 405 with `Allow` when the path is known), oversized bodies, and anything
/// unexpected (logged, answered 500 without internals). Nothing leaves as a bare status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = SafelistRequestContext
    let routes: RouteTable

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SafelistError {
            return EnvelopeResponse.failure(error)
        } catch let error as HTTPError where error.status == .notFound {
            if let allowed = routes.allowedMethods(path: request.uri.path) {
                return EnvelopeResponse.failure(SafelistError(
                    .methodNotAllowed(allowed: allowed), code: ErrorCode.methodNotAllowed,
                    "Method \(request.method) is not allowed here; allowed: \(allowed.joined(separator: ", "))"))
            }
            return EnvelopeResponse.failure(.noRoute(request.uri.path))
        } catch is NIOTooManyBytesError {
            return EnvelopeResponse.failure(RequestBody.tooLarge)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            return EnvelopeResponse.failure(SafelistError(
                .internalError, code: ErrorCode.internalError, "Internal error; the server log has the details"))
        }
    }
}
