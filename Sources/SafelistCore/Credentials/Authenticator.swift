/// Proves a request's credentials, with Cloudflare's error codes: 9106 when none are sent, 6003
/// (with its error chain) when a header is malformed, 10000 when they are unknown, revoked or
/// expired. Takes header values, not an HTTP request, so it stays free of the HTTP layer.
public struct Authenticator: Sendable {
    public let store: any CredentialStore
    /// Credentials already proven, by the hash of their secret, each kept while the store's
    /// credentials stamp is the one from before it was read: a revocation or a deletion (on any
    /// node, by the CLI or the API) takes effect on the next request. Expiry is checked on every
    /// use; failures are never kept. Only for a store that can tell cheaply that no credential
    /// changed (`ChangeStamps`).
    private let cache: (stamps: any ChangeStamps, entries: StampedCache<[UInt8], Principal, ChangeStamp>)?

    public init(store: any CredentialStore) {
        self.store = store
        // Cast once here, not on every request.
        cache = (store as? any ChangeStamps).map { ($0, StampedCache()) }
    }

    public func authenticate(
        authorization: String?, authEmail: String?, authKey: String?, now: Timestamp = .now()
    ) async throws -> Principal {
        if let authorization {
            guard let secret = Self.bearerToken(authorization) else {
                throw Self.malformed([(ErrorCode.invalidAuthorizationHeader, "Authorization")])
            }
            let hash = Secret.hash(secret)
            let principal = try await proven(hash) {
                guard let token = try await store.token(secretHash: hash), Secret.constantTimeEqual(token.secretHash, hash) else {
                    return nil
                }
                return .token(token)
            }
            guard case .token(let token)? = principal, token.isActive(at: now) else { throw Self.authenticationError }
            return .token(token)
        }
        guard authEmail != nil || authKey != nil else {
            throw SafelistError(
                .missingCredentials, code: ErrorCode.missingCredentials,
                "Missing X-Auth-Key, X-Auth-Email or Authorization headers")
        }
        var bad: [(ErrorCode, String)] = []
        if !(authEmail.map(Self.isWellFormedEmail) ?? false) { bad.append((ErrorCode.invalidAuthEmailHeader, "X-Auth-Email")) }
        if !(authKey.map(Self.isWellFormedKey) ?? false) { bad.append((ErrorCode.invalidAuthKeyHeader, "X-Auth-Key")) }
        guard bad.isEmpty, let authEmail, let authKey else { throw Self.malformed(bad) }
        // Found by the key's hash, as tokens are: a known email with a wrong key and an unknown
        // email are then the same path, a lookup that finds nothing, and cost the same.
        let hash = Secret.hash(authKey)
        let principal = try await proven(hash) {
            guard let user = try await store.user(keyHash: hash), Secret.constantTimeEqual(user.keyHash, hash) else { return nil }
            return .user(user)
        }
        guard case .user(let user)? = principal, user.email == authEmail.lowercased() else { throw Self.authenticationError }
        return .user(user)
    }

    /// The credential whose secret hashes to `hash`: from the cache while the store's stamp is
    /// unchanged, else from `lookup`. The stamp is read before the lookup, so a change that
    /// lands meanwhile is seen by the next request.
    private func proven(_ hash: [UInt8], lookup: () async throws -> Principal?) async throws -> Principal? {
        guard let cache, let stamp = cache.stamps.credentialsStamp() else { return try await lookup() }
        if let principal = cache.entries.value(for: hash, at: stamp) { return principal }
        guard let principal = try await lookup() else { return nil }
        cache.entries.remember(principal, for: hash, at: stamp)
        return principal
    }

    public static let authenticationError = SafelistError(
        .authentication, code: ErrorCode.authenticationError, "Authentication error")

    private static func malformed(_ headers: [(ErrorCode, String)]) -> SafelistError {
        SafelistError(
            .malformedCredentials,
            [
                ErrorItem(
                    code: ErrorCode.invalidRequestHeaders, message: "Invalid request headers",
                    chain: headers.map { ErrorItem(code: $0.0, message: "Invalid format for \($0.1) header") })
            ])
    }

    /// The secret of `Bearer <token>`; nil when the header has another shape.
    /// Read as bytes: it runs on every request.
    static func bearerToken(_ header: String) -> String? {
        let bytes = header.utf8
        let space = UInt8(ascii: " ")
        guard let schemeStart = bytes.firstIndex(where: { $0 != space }) else { return nil }
        let scheme = bytes[schemeStart...].prefix { $0 != space }
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        guard let tokenStart = bytes[scheme.endIndex...].firstIndex(where: { $0 != space }) else { return nil }
        let token = bytes[tokenStart...].prefix { $0 != space }
        guard bytes[token.endIndex...].allSatisfy({ $0 == space }), (1...256).contains(token.count),
            token.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return nil }
        return String(Substring(token))
    }

    public static func isWellFormedEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && value.utf8.count <= 254
            && !value.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }
    }

    static func isWellFormedKey(_ value: String) -> Bool {
        (1...256).contains(value.utf8.count) && value.utf8.allSatisfy(isAlphanumeric)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
