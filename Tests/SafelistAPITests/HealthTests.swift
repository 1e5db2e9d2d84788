import Foundation
import Logging
import SafelistAPI
import SafelistCore
import SafelistEngine
import SafelistServer
import SafelistTesting
import Synchronization
import Testing

/// Issue 17: probes for load balancers and harnesses, and Cloudflare's token smoke test.
@Suite("Health, readiness and tokens/verify")
struct HealthTests {
    @Test(arguments: StoreKind.available)
    func probesAnswerWithoutCredentialsAndNothingElseDoes(kind: StoreKind) async throws {
        let server = try await TestServer(kind)
        _ = try await server.store.create(account: accountA, fields: TestPolicy.email("a@b.example").trustedSender.fields)
        try await server.test { api in
            let health = try await api.send(.get, "/healthz", auth: APIClient.Auth.none)
            #expect(health.status == 200 && health.json["status"] as? String == "ok")
            #expect(health.json["version"] as? String == SafelistVersion.current)
            #expect(health.headers[.cacheControl] == "no-store")
            // The engine loads the written accounts as the server starts; ready once it has.
            var ready = try await api.send(.get, "/readyz", auth: APIClient.Auth.none)
            for _ in 0..<200 where ready.status != 200 {
                #expect(ready.status == 503 && ready.json["status"] as? String == "not ready")
                try await Task.sleep(for: .milliseconds(25))
                ready = try await api.send(.get, "/readyz", auth: APIClient.Auth.none)
            }
            #expect(ready.status == 200 && ready.json["status"] as? String == "ready", "\(ready.text)")
            let checks = ready.json["checks"] as? [String: [String: Any]] ?? [:]
            #expect(checks["store"]?["ok"] as? Bool == true && checks["engine"]?["ok"] as? Bool == true)
            #expect(checks["engine"]?["detail"] as? String == "1 accounts loaded")
            // Only the two probes, and only by GET, go without credentials.
            #expect(try await api.send(.post, "/healthz", auth: APIClient.Auth.none).errorCodes == [9106])
            #expect(try await api.send(.get, "/healthz/x", auth: APIClient.Auth.none).errorCodes == [9106])
            #expect(try await api.send(.get, "/client/v4/user/tokens/verify", auth: APIClient.Auth.none).errorCodes == [9106])
        }
    }

    @Test func tokensVerifyAnswersAsCloudflareDoes() async throws {
        let server = try await TestServer()
        let expiry = Timestamp(microseconds: Timestamp.now().microseconds + 86_400_000_000)
        let issued = try await CredentialIssuer(store: server.store).issueToken(
            name: "v", permission: .read, scope: .accounts([accountA]), expiresAt: expiry)
        let user = try await CredentialIssuer(store: server.store).createUser(email: "ops@example.com", scope: .all)
        try await server.test { api in
            for path in ["/client/v4/user/tokens/verify", "/user/tokens/verify"] {
                let reply = try await api.send(.get, path, auth: .bearer(issued.secret))
                #expect(reply.status == 200 && reply.json["success"] as? Bool == true, "\(reply.text)")
                #expect(reply.result["id"] as? String == issued.token.id && reply.result["status"] as? String == "active")
                #expect(reply.result["expires_on"] as? String == expiry.rfc3339)
                #expect(reply.messages.first?["code"] as? Int == 10000)
                #expect(reply.messages.first?["message"] as? String == "This API Token is valid and active")
            }
            let noExpiry = try await api.send(.get, "/client/v4/user/tokens/verify")
            #expect(noExpiry.status == 200 && noExpiry.result["expires_on"] == nil)
            let key = try await api.send(
                .get, "/client/v4/user/tokens/verify", auth: .headers([("X-Auth-Email", "ops@example.com"), ("X-Auth-Key", user.key)]))
            #expect(key.status == 400 && key.errorCodes == [6003])
            let post = try await api.send(.post, "/client/v4/user/tokens/verify", json: [:])
            #expect(post.status == 405 && post.headers[.allow] == "GET")
            // A secret one character off (never the same one: a secret may start with "x").
            let forged = (issued.secret.first == "x" ? "y" : "x") + issued.secret.dropFirst()
            #expect(try await api.send(.get, "/client/v4/user/tokens/verify", auth: .bearer(forged)).errorCodes == [10000])
        }
    }

    /// While the store cannot be read, the node is not ready and says why; once it can, the
    /// engine loads every written account and the node becomes ready.
    @Test func notReadyUntilTheStoreAnswersAndTheEngineHasLoaded() async throws {
        try await StoreKind.sqlite.withStore { store in
            _ = try await store.create(account: accountA, fields: TestPolicy.email("a@b.example").trustedSender.fields)
            _ = try await store.create(account: accountB, fields: TestPolicy.email("c@d.example").trustedSender.fields)
            let directory = FlakyDirectory(store)
            let engine = PolicyEngine(feed: store)
            let warmUp = EngineWarmUp(engine: engine, directory: directory, logger: Logger(label: "test"))
            let running = Task { try await warmUp.run() }
            defer { running.cancel() }
            var checks: [Readiness.Check] = []
            for _ in 0..<200 {
                checks = await warmUp.readiness.check()
                if checks.contains(where: { $0.detail.hasPrefix("waiting for the store") }) { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(checks.map(\.name) == ["store", "engine"] && checks.allSatisfy { !$0.ok }, "\(checks)")
            directory.failing.withLock { $0 = false }
            for _ in 0..<300 where !checks.allSatisfy(\.ok) {
                try await Task.sleep(for: .milliseconds(10))
                checks = await warmUp.readiness.check()
            }
            #expect(checks.allSatisfy(\.ok) && checks.last?.detail == "2 accounts loaded", "\(checks)")
            #expect(engine.loadedAccounts == 2)
        }
    }
}

/// A store that cannot be read until told otherwise.
final class FlakyDirectory: AccountDirectory {
    let store: any AccountDirectory
    let failing = Mutex(true)

    init(_ store: any AccountDirectory) {
        self.store = store
    }

    func writtenAccounts() async throws -> [AccountID] {
        if failing.withLock({ $0 }) { throw SafelistError.unavailable("the test's store is down") }
        return try await store.writtenAccounts()
    }
}
