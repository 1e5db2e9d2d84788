import Hummingbird
import Logging
import NIOCore
import SafelistCore

/// Turns every failure into the v4 envelope: the domain's and HTTP's own refusals (each renders
/// itself, `HTTPResponseError`), the router's "no route" (7003/7000, or 405 with `Allow` when the
/// path is known), oversized bodies, and anything unexpected (logged, answered 500 without
/// internals). Nothing leaves as a bare status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = SafelistRequestContext
    let routes: RouteTable

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if let allowed = routes.allowedMethods(path: request.uri.path) {
                return try HTTPRefusal.methodNotAllowed(request.method, allowed: allowed).response(from: request, context: context)
            }
            return try HTTPRefusal.noRoute(request.uri.path).response(from: request, context: context)
        } catch let error as SafelistError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPRefusal {
            return try error.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try HTTPRefusal.bodyTooLarge.response(from: request, context: context)
        } catch is CancellationError {
            return try SafelistError.unavailable("the request was cancelled (the server is shutting down)").response(from: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            return try SafelistError.internalError("Internal error; the server log has the details").response(from: request, context: context)
        }
    }
}
