/// Mints credentials: the only place a secret exists in clear, returned once to the caller.
public struct CredentialIssuer: Sendable {
    public let store: any CredentialStore

    public init(store: any CredentialStore) {
        self.store = store
    }

    public func issueToken(
        name: String, permission: Permission, scope: AccountScope, expiresAt: Timestamp? = nil,
        now: Timestamp = .now()
    ) async throws -> (token: APIToken, secret: String) {
        let secret = Secret.newToken()
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
    public func bootstrapIfEmpty() async throws -> String? {
        guard try await !store.hasCredentials() else { return nil }
        return try await issueToken(name: "bootstrap", permission: .write, scope: .all).secret
    }
}
