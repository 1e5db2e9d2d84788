import Foundation
import Synchronization
import Testing

@testable import SafelistCore

/// A Global API key with a known email and a wrong key, and one with an unknown email, must
/// cost the same, or timing tells an attacker which emails exist: both are one lookup by the
/// key's hash that finds nothing, and nothing else.
@Suite("Authentication: a known email and an unknown one take one path")
struct AuthenticatorPathTests {
    @Test func aWrongKeyAndAnUnknownEmailDoTheSameWork() async throws {
        let store = RecordingCredentials()
        let key = Secret.newGlobalKey()
        try await store.insert(user: APIUser(email: "ops@example.com", scope: .all, keyHash: Secret.hash(key), createdAt: .now()))
        let authenticator = Authenticator(store: store)
        for email in ["ops@example.com", "nobody@example.com"] {
            store.calls.withLock { $0 = [] }
            await #expect(throws: Authenticator.authenticationError) {
                _ = try await authenticator.authenticate(authorization: nil, authEmail: email, authKey: Secret.newGlobalKey())
            }
            #expect(store.calls.withLock { $0 } == ["user(keyHash:)"], "\(email)")
        }
        _ = try await authenticator.authenticate(authorization: nil, authEmail: "OPS@example.com", authKey: key)
    }
}

@Suite("Authentication: the Bearer header's shapes")
struct BearerHeaderTests {
    @Test func theSchemeIsCaseInsensitiveAndSpacesAroundAreAllowed() {
        for header in ["Bearer abc-DEF_1", "bearer abc-DEF_1", "BEARER abc-DEF_1", "  Bearer   abc-DEF_1  "] {
            #expect(Authenticator.bearerToken(header) == "abc-DEF_1", "\(header)")
        }
    }

    @Test func otherShapesHaveNoToken() {
        let refused = [
            "", " ", "Bearer", "Bearer ", "Bearer two words", "Bearer bad$chars", "Bearerx abc", "Basic abc", "token",
            "Bearer " + String(repeating: "a", count: 257), "Bearer\tabc", "Béarer abc",
        ]
        for header in refused { #expect(Authenticator.bearerToken(header) == nil, "\(header)") }
        #expect(Authenticator.bearerToken("Bearer " + String(repeating: "a", count: 256))?.count == 256)
    }
}

/// Credentials in memory, recording which lookups were made.
final class RecordingCredentials: CredentialStore {
    let calls = Mutex<[String]>([])
    private let users = Mutex<[APIUser]>([])

    func hasCredentials() async throws -> Bool { true }
    func insert(token: APIToken) async throws {}
    func token(secretHash: [UInt8]) async throws -> APIToken? {
        calls.withLock { $0.append("token(secretHash:)") }
        return nil
    }
    func tokens() async throws -> [APIToken] { [] }
    func revokeToken(id: String, at time: Timestamp) async throws -> Bool { false }
    func insert(user: APIUser) async throws { users.withLock { $0.append(user) } }
    func user(email: String) async throws -> APIUser? {
        calls.withLock { $0.append("user(email:)") }
        return users.withLock { $0.first { $0.email == email.lowercased() } }
    }
    func user(keyHash: [UInt8]) async throws -> APIUser? {
        calls.withLock { $0.append("user(keyHash:)") }
        return users.withLock { $0.first { $0.keyHash == keyHash } }
    }
    func users() async throws -> [APIUser] { users.withLock { $0 } }
    func deleteUser(email: String) async throws -> Bool { false }
}
