/// Who made a request, once their credentials are proven.
public enum Principal: Sendable, Equatable {
    case token(APIToken)
    case user(APIUser)

    public var permission: Permission {
        switch self {
        case .token(let token): token.permission
        case .user: .write
        }
    }

    public var scope: AccountScope {
        switch self {
        case .token(let token): token.scope
        case .user(let user): user.scope
        }
    }

    /// For logs: never a secret.
    public var label: String {
        switch self {
        case .token(let token): "token:\(token.id)"
        case .user(let user): "user:\(user.email)"
        }
    }

    /// Cloudflare answers 9109 both for a missing permission and for an account out of reach.
    public func authorize(_ account: AccountID, _ needed: Permission) throws(SafelistError) {
        guard permission.allows(needed), scope.includes(account) else { throw .unauthorized }
    }
}
