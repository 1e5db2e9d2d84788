import Hummingbird
import SafelistCore

/// Per-request state: Hummingbird's core storage plus the principal the auth middleware proved.
public struct SafelistRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// The account named in the path, once the principal may act on it with `permission`.
    /// A malformed id answers 7003 as Cloudflare does; an account out of reach answers 9109.
    func account(for permission: Permission, path: String) throws -> AccountID {
        guard let text = parameters.get("account_id"), let account = AccountID(text) else {
            throw HTTPRefusal.noRoute(path)
        }
        guard let principal else { throw Authenticator.authenticationError }
        try principal.authorize(account, permission)
        return account
    }

    func policyID(path: String) throws(HTTPRefusal) -> PolicyID {
        guard let text = parameters.get("policy_id"), let id = PolicyID(text) else { throw .noRoute(path) }
        return id
    }
}
