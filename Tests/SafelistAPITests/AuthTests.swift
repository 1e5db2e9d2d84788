import Foundation
import SafelistCore
import SafelistTesting
import Testing

@Suite("Credentials: Cloudflare's codes for every case")
struct AuthTests {
    @Test(arguments: StoreKind.available)
    func authMatrix(kind: StoreKind) async throws {
        let server = try await TestServer(kind)
        let readA = try await server.issue(.read, .accounts([accountA]))
        let writeA = try await server.issue(.write, .accounts([accountA]))
        let expired = try await server.issue(.write, .all, expiresAt: Timestamp(microseconds: Timestamp.now().microseconds - 1_000_000))
        let future = try await server.issue(.write, .all, expiresAt: Timestamp(microseconds: Timestamp.now().microseconds + 3_600_000_000))
        let revoked = try await CredentialIssuer(store: server.store).issueToken(name: "r", permission: .write, scope: .all)
        #expect(try await server.store.revokeToken(id: revoked.token.id, at: .now()))
        let user = try await CredentialIssuer(store: server.store).createUser(email: "Ops@Example.com", scope: .accounts([accountA]))

        try await server.test { api in
            let list = policiesPath(accountA)
            let none = try await api.send(.get, list, auth: APIClient.Auth.none)
            #expect(none.status == 400 && none.errorCodes == [9106])
            // Never serves an unauthenticated request, not even "no route".
            #expect(try await api.send(.get, "/nowhere", auth: APIClient.Auth.none).errorCodes == [9106])

            for header in ["Basic abc", "Bearer", "Bearer two words", "Bearer bad$chars", "token"] {
                let bad = try await api.send(.get, list, auth: .headers([("Authorization", header)]))
                #expect(bad.status == 400 && bad.errorCodes == [6003], "\(header)")
                let chain = bad.errors.first?["error_chain"] as? [[String: Any]] ?? []
                #expect(chain.compactMap { $0["code"] as? Int } == [6111], "\(header)")
            }
            let unknown = try await api.send(.get, list, auth: .bearer(Secret.newToken()))
            #expect(unknown.status == 403 && unknown.errorCodes == [10000])
            #expect(try await api.send(.get, list, auth: .bearer(revoked.secret)).errorCodes == [10000])
            #expect(try await api.send(.get, list, auth: .bearer(expired)).errorCodes == [10000])
            #expect(try await api.send(.get, list, auth: .bearer(future)).status == 200)

            #expect(try await api.send(.get, list, auth: .bearer(readA)).status == 200)
            let readWrites = try await api.send(.post, list, json: policyBody("a@b.com"), auth: .bearer(readA))
            #expect(readWrites.status == 403 && readWrites.errorCodes == [9109])
            // Authorization comes before body validation.
            #expect(try await api.send(.post, list, raw: "{", auth: .bearer(readA)).errorCodes == [9109])
            #expect(try await api.send(.post, policiesPath(accountA, "/batch"), raw: "{}", auth: .bearer(readA)).errorCodes == [9109])
            let otherAccount = try await api.send(.get, policiesPath(accountB), auth: .bearer(writeA))
            #expect(otherAccount.status == 403 && otherAccount.errorCodes == [9109])
            #expect(try await api.send(.post, list, json: policyBody("w@b.com"), auth: .bearer(writeA)).status == 201)

            let keyPair = APIClient.Auth.headers([("X-Auth-Email", "ops@example.com"), ("X-Auth-Key", user.key)])
            #expect(try await api.send(.post, list, json: policyBody("k@b.com"), auth: keyPair).status == 201)
            let mixedCase = APIClient.Auth.headers([("X-Auth-Email", "OPS@example.COM"), ("X-Auth-Key", user.key)])
            #expect(try await api.send(.get, list, auth: mixedCase).status == 200)
            #expect(try await api.send(.get, policiesPath(accountB), auth: keyPair).errorCodes == [9109])
            let wrongKey = try await api.send(
                .get, list, auth: .headers([("X-Auth-Email", "ops@example.com"), ("X-Auth-Key", Secret.newGlobalKey())]))
            #expect(wrongKey.status == 403 && wrongKey.errorCodes == [10000])
            let unknownUser = try await api.send(.get, list, auth: .headers([("X-Auth-Email", "nobody@example.com"), ("X-Auth-Key", user.key)]))
            #expect(unknownUser.errorCodes == [10000])

            let keyOnly = try await api.send(.get, list, auth: .headers([("X-Auth-Key", user.key)]))
            #expect(keyOnly.status == 400 && keyOnly.errorCodes == [6003])
            #expect((keyOnly.errors.first?["error_chain"] as? [[String: Any]])?.compactMap { $0["code"] as? Int } == [6102])
            let emailOnly = try await api.send(.get, list, auth: .headers([("X-Auth-Email", "ops@example.com")]))
            #expect((emailOnly.errors.first?["error_chain"] as? [[String: Any]])?.compactMap { $0["code"] as? Int } == [6103])
            let badBoth = try await api.send(.get, list, auth: .headers([("X-Auth-Email", "not an email"), ("X-Auth-Key", "has space")]))
            #expect((badBoth.errors.first?["error_chain"] as? [[String: Any]])?.compactMap { $0["code"] as? Int } == [6102, 6103])
        }
    }

    @Test func secretsAreStoredOnlyAsHashes() async throws {
        let server = try await TestServer()
        let issued = try await CredentialIssuer(store: server.store).issueToken(name: "h", permission: .read, scope: .all)
        let user = try await CredentialIssuer(store: server.store).createUser(email: "h@example.com", scope: .all)
        let path = server.opened.location
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path)) + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
        #expect(bytes.range(of: Data(issued.secret.utf8)) == nil)
        #expect(bytes.range(of: Data(user.key.utf8)) == nil)
        #expect(issued.token.secretHash == Secret.hash(issued.secret))
        #expect(issued.secret.count == 40 && user.key.count == 37)
    }

    /// A token has Cloudflare's shape, and never begins with `-`, which a command line would
    /// read as an option (one token in 64 did).
    @Test func tokensHaveCloudflaresShapeAndNeverLookLikeAnOption() {
        let tokens = (0..<5_000).map { _ in Secret.newToken() }
        #expect(tokens.allSatisfy { $0.count == 40 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") } })
        #expect(!tokens.contains { $0.hasPrefix("-") })
        #expect(tokens.contains { $0.contains("-") } && tokens.contains { $0.contains("_") })
    }

    /// Proven credentials are cached (`Authenticator`); the test's own store object is another
    /// process (SQLite) or node (PostgreSQL) writing the same database, as `safelist token
    /// revoke` would. SQLite sees the commit at once; PostgreSQL when its notification arrives.
    @Test(arguments: StoreKind.available)
    func revocationAndDeletionEndCachedCredentials(kind: StoreKind) async throws {
        let server = try await TestServer(kind)
        let issued = try await CredentialIssuer(store: server.store).issueToken(name: "cached", permission: .read, scope: .all)
        let user = try await CredentialIssuer(store: server.store).createUser(email: "cached@example.com", scope: .all)
        try await server.test { api in
            let list = policiesPath(accountA)
            let userAuth = APIClient.Auth.headers([("X-Auth-Email", "cached@example.com"), ("X-Auth-Key", user.key)])
            for round in 0..<3 {
                #expect(try await api.send(.get, list, auth: .bearer(issued.secret)).status == 200)
                #expect(try await api.send(.get, list, auth: userAuth).status == 200)
                // This server's own policy writes keep the cached credentials (SQLite leaves
                // them out of the credentials stamp); the revocation below must still end them.
                #expect(try await api.send(.post, list, json: policyBody("cached\(round)@example.com")).status == 201)
            }
            #expect(try await server.store.revokeToken(id: issued.token.id, at: .now()))
            #expect(try await server.store.deleteUser(email: "cached@example.com"))
            // At once on SQLite; on PostgreSQL, within the notification's delivery.
            let attempts = kind == .sqlite ? 1 : 100
            var tokenRefused = false, userRefused = false
            for _ in 0..<attempts where !(tokenRefused && userRefused) {
                tokenRefused = try await api.send(.get, list, auth: .bearer(issued.secret)).errorCodes == [10000]
                userRefused = try await api.send(.get, list, auth: userAuth).errorCodes == [10000]
                if !(tokenRefused && userRefused) { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(tokenRefused, "a revoked token is refused")
            #expect(userRefused, "a deleted user is refused")
            #expect(try await api.send(.get, list).status == 200, "other credentials still work")
        }
    }

    @Test(arguments: StoreKind.available)
    func bootstrapOnlyWhenNoCredentialsExist(kind: StoreKind) async throws {
        let server = try await TestServer(kind)
        #expect(try await CredentialIssuer(store: server.store).bootstrapIfEmpty() == nil)
        await server.opened.close()
        try await kind.withStore { empty in
            let secret = try await CredentialIssuer(store: empty).bootstrapIfEmpty()
            #expect(secret != nil)
            let tokens = try await empty.tokens()
            #expect(tokens.count == 1 && tokens[0].permission == .write && tokens[0].scope == .all)
            #expect(try await CredentialIssuer(store: empty).bootstrapIfEmpty() == nil)
        }
    }
}

@Suite("Rate limit: Cloudflare's 429/971 per credential")
struct RateLimitTests {
    @Test(arguments: StoreKind.available)
    func limitIsPerCredentialWithRetryAfter(kind: StoreKind) async throws {
        let server = try await TestServer(kind, rateLimit: 3)
        let other = try await server.issue(.read, .all)
        try await server.test { api in
            for _ in 0..<3 { #expect(try await api.send(.get, policiesPath(accountA)).status == 200) }
            let limited = try await api.send(.get, policiesPath(accountA))
            #expect(limited.status == 429 && limited.errorCodes == [971])
            let retry = Int(limited.headers[.retryAfter] ?? "") ?? 0
            #expect(retry >= 1 && retry <= 100, "3 per 300 s refills one token in 100 s")
            #expect(try await api.send(.get, policiesPath(accountA), auth: .bearer(other)).status == 200)
        }
    }
}
