/// Mints credentials: the only place a secret exists in clear, returned once to the caller.
public struct CredentialIssuer: Sendable {
    public let store: any CredentialStore

    public init(store: any CredentialStore) {
        self.store = store
    }

    public func issueToken(
        name: String, permission: Permission, scope: AccountScope, expiresAt: Timestamp? = nil,
        now: Timestamp = .now(), secret given: String? = nil
    ) async throws -> (token: APIToken, secret: String) {
        let secret = given ?? Secret.newToken()
        let token = APIToken(
            id: Secret.newIdentifier(), name: name, permission: permission, scope: scope,
            secretHash: Secret.hash(secret), createdAt: now, expiresAt: expiresAt)
        try await store.insert(token: token)
        return (token, secret)
    }

    public func createUser(email: String, scope: AccountScope, now: Timestamp = .now()) async throws
        -> (user: APIUser, key: String)
    {
        let key = Secret.newGlobalKey()
        let user = APIUser(email: email.lowercased(), scope: scope, keyHash: Secret.hash(key), createdAt: now)
        try await store.insert(user: user)
        return (user, key)
    }

    /// On first start with no credentials at all: one Write token for all accounts, so a fresh
    /// server is usable without first reading the CLI docs. Nil when credentials already exist.
    /// `secret`: the one to use, when the operator gave one (`isUsableSecret`).
    public func bootstrapIfEmpty(secret: String? = nil) async throws -> (token: APIToken, secret: String)? {
        guard try await !store.hasCredentials() else { return nil }
        return try await issueToken(name: "bootstrap", permission: .write, scope: .all, secret: secret)
    }

    /// Whether an operator's secret may be a token's: what a `Bearer` header carries (letters,
    /// digits, `-` and `_`, at most 256), and at least 20 characters, so that a guessable one is
    /// not used by accident.
    public static func isUsableSecret(_ secret: String) -> Bool {
        secret.utf8.count >= 20 && Authenticator.bearerToken("Bearer " + secret) == secret
    }
}
