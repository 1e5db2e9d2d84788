import Hummingbird
import SafelistCore
import SafelistWire

/// `POST /client/v4/safelist/reset[?account_id=…]`: empties one account, or every account, of
/// its policies, for test suites that use Safelist as a Cloudflare stand-in and reset it
/// between tests. Refused (403/25063) unless the server was started with `--allow-reset`, and
/// to any credential without Write on every account.
struct ResetController: Sendable {
    static let route = RouteTable.Route(method: .post, template: "safelist/reset")

    let reset: PolicyReset
    let allowed: Bool

    func register(on router: Router<SafelistRequestContext>) {
        for template in RouteTable.templates(of: Self.route) { router.post(RouterPath(template), use: run) }
    }

    @Sendable func run(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        guard allowed else {
            throw SafelistError(.unauthorized, code: .resetNotAllowed, "reset is off on this server; start it with --allow-reset (test set-ups only)")
        }
        guard let principal = context.principal, principal.permission.allows(.write), principal.scope == .all else {
            throw SafelistError(.unauthorized, code: .resetNotAllowed, "reset needs a credential with Write on every account")
        }
        var accounts: [AccountID]?
        for (name, value) in try QueryString.pairs(request.uri.query) where name == "account_id" {
            guard let account = AccountID(value) else {
                throw SafelistError(
                    .invalid,
                    [
                        ErrorItem(
                            code: .invalidQueryParameter, message: "account_id must be 32 hexadecimal characters", pointer: "/query/account_id",
                            parameter: "account_id")
                    ])
            }
            accounts = (accounts ?? []) + [account]
        }
        let deleted = try await reset.reset(accounts: accounts, origin: context.origin(.api))
        return EnvelopeResponse.success(ResetJSON(deleted: deleted))
    }
}

struct ResetJSON: JSONWritable {
    let deleted: Int

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("deleted")
            writer.int(deleted)
        }
    }
}
