import HTTPTypes
import Hummingbird
import SafelistCore

/// Proves the request's credentials before anything else runs: the server never serves an
/// unauthenticated request, not even a "no route" answer.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SafelistRequestContext
    let authenticator: Authenticator

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.principal = try await authenticator.authenticate(
            authorization: request.headers[.authorization],
            authEmail: Self.authEmail.flatMap { request.headers[$0] },
            authKey: Self.authKey.flatMap { request.headers[$0] })
        context.logger[metadataKey: "principal"] = "\(context.principal?.label ?? "-")"
        return try await next(request, context)
    }

    static let authEmail = HTTPField.Name("X-Auth-Email")
    static let authKey = HTTPField.Name("X-Auth-Key")
}
