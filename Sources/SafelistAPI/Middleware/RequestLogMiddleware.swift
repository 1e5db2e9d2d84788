import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One line per request, the access log: method, path, status, duration, the client's address,
/// the principal (a token id or a user's email, never a secret), the error code of a refusal,
/// and the request id (Hummingbird's `hb.request.id`), which the response also carries in
/// `X-Request-ID` so that a client's report can be found in the log.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = SafelistRequestContext
    static let requestID = HTTPField.Name("X-Request-ID")!

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        response.headers[Self.requestID] = context.id
        // Built only when the line is written (the metadata is an autoclosure).
        context.logger.info("request", metadata: Self.metadata(request, response, micros, context))
        return response
    }

    private static func metadata(_ request: Request, _ response: Response, _ micros: Int64, _ context: Context) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "method": "\(request.method)",
            "path": "\(request.uri.path)",
            "status": "\(response.status.code)",
            "duration_us": "\(micros)",
            "client": "\(context.channel.remoteAddress?.ipAddress ?? "-")",
            "principal": "\(context.facts.principal ?? "-")",
        ]
        if let code = context.facts.errorCode { metadata["error_code"] = "\(code)" }
        return metadata
    }
}
