import HTTPTypes
import Hummingbird
import SafelistCore

/// Proves the request's credentials before anything else runs: the server never serves an
/// unauthenticated request, not even a "no route" answer, but the health probes'.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SafelistRequestContext
    let authenticator: Authenticator
    /// Paths served to `GET` without credentials: the probes, and `/metrics` unless it asks for a token.
    let publicPaths: Set<String>

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if request.method == .get, publicPaths.contains(request.uri.path) { return try await next(request, context) }
        var context = context
        context.principal = try await authenticator.authenticate(
            authorization: request.headers[.authorization],
            authEmail: Self.authEmail.flatMap { request.headers[$0] },
            authKey: Self.authKey.flatMap { request.headers[$0] })
        let label = context.principal?.label
        context.facts.principal = label
        // For the lines the handlers log; the request line reads `facts`.
        context.logger[metadataKey: "principal"] = "\(label ?? "-")"
        return try await next(request, context)
    }

    static let authEmail = HTTPField.Name("X-Auth-Email")
    static let authKey = HTTPField.Name("X-Auth-Key")
}
