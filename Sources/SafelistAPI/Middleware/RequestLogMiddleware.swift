import Hummingbird
import Logging

/// One structured line per request: method, path, status, duration and the principal.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = SafelistRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method)",
                "path": "\(request.uri.path)",
                "status": "\(response.status.code)",
                "duration_us": "\(micros)",
            ])
        return response
    }
}
