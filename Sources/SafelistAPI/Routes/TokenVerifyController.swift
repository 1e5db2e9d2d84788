import Hummingbird
import SafelistCore
import SafelistWire

/// `GET /client/v4/user/tokens/verify`: Cloudflare's smoke test, which scripts and SDK set-ups
/// call first to check a token. It answers for the token that authenticated the request; a
/// Global API key is not a token, and is told so.
struct TokenVerifyController: Sendable {
    static let route = RouteTable.Route(method: .get, template: "user/tokens/verify")

    func register(on router: Router<SafelistRequestContext>) {
        for template in RouteTable.templates(of: Self.route) { router.get(RouterPath(template), use: verify) }
    }

    @Sendable func verify(_ request: Request, context: SafelistRequestContext) throws -> Response {
        guard case .token(let token)? = context.principal else {
            throw SafelistError(
                .invalid, code: .invalidRequestHeaders,
                "tokens/verify checks an API token (Authorization: Bearer); this request authenticated with a Global API key")
        }
        // Cloudflare numbers this message 10000, as it does its authentication errors.
        let valid = ErrorItem(code: .authenticationError, message: "This API Token is valid and active")
        return EnvelopeResponse.success(TokenStatusJSON(token: token), messages: [valid])
    }
}
