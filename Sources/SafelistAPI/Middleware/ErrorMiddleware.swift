import Hummingbird
import Logging
import Metrics
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
        } catch {
            let refusal = refusal(for: error, request, context)
            let code = refusal.errors.first?.code.rawValue
            context.facts.errorCode = code
            // Store outages (25060), rate limiting (971), bad input: each refusal by its code.
            Counter(label: "safelist_http_refusals_total", dimensions: [("code", code.map(String.init) ?? "none")]).increment()
            return try refusal.response(from: request, context: context)
        }
    }

    private func refusal(for error: any Error, _ request: Request, _ context: Context) -> any EnvelopeFailure {
        switch error {
        case let error as HTTPError where error.status == .notFound:
            if let allowed = routes.allowedMethods(path: request.uri.path) { return HTTPRefusal.methodNotAllowed(request.method, allowed: allowed) }
            return HTTPRefusal.noRoute(request.uri.path)
        case let error as SafelistError: return error
        case let error as HTTPRefusal: return error
        case is NIOTooManyBytesError: return HTTPRefusal.bodyTooLarge
        case is CancellationError: return SafelistError.unavailable("the request was cancelled (the server is shutting down)")
        default:
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            return SafelistError.internalError("Internal error; the server log has the details")
        }
    }
}

/// A failure answered in the v4 envelope: its errors, and the response that carries them.
protocol EnvelopeFailure: Error {
    var errors: [ErrorItem] { get }
    func response(from request: Request, context: some RequestContext) throws -> Response
}

extension SafelistError: EnvelopeFailure {}
extension HTTPRefusal: EnvelopeFailure {}
