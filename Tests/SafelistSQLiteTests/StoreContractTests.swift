import Foundation
import SafelistCore
import Testing

@Suite("The store contract, on every backend")
struct StoreContractTests {
    @Test(arguments: StoreKind.available)
    func writeReadAndConflict(kind: StoreKind) async throws {
        let store = try kind.open()
        let created = try await store.create(account: account, fields: fields("a@example.com", comments: "c"))
        #expect(try await store.policy(account: account, id: created.id) == created)
        #expect(try await store.policy(account: otherAccount, id: created.id) == nil)
        await #expect(throws: SafelistError.duplicatePattern(pointer: "/pattern")) {
            _ = try await store.create(account: account, fields: fields("A@Example.com"))
        }
        // Another account, or the regex namespace, may hold the same text.
        _ = try await store.create(account: otherAccount, fields: fields("a@example.com"))
        _ = try await store.create(account: account, fields: fields("a@example.com", regex: true))
        let edited = try await store.edit(account: account, id: created.id, edit: PolicyEdit(comments: .some(nil)))
        #expect(edited.comments == nil && edited.createdAt == created.createdAt && edited.modifiedAt > created.modifiedAt)
        try await store.delete(account: account, id: created.id)
        #expect(try await store.policy(account: account, id: created.id) == nil)
        await #expect(throws: SafelistError.policyNotFound()) { try await store.delete(account: account, id: created.id) }
    }

    @Test(arguments: StoreKind.available)
    func batchIsAllOrNothing(kind: StoreKind) async throws {
        let store = try kind.open()
        let keep = try await store.create(account: account, fields: fields("keep@example.com"))
        let request = BatchRequest(
            deletes: [.init(id: keep.id, pointer: "/deletes/0")],
            posts: [.init(fields: try fields("one@example.com"), pointer: "/posts/0"),
                    .init(fields: try fields("one@example.com"), pointer: "/posts/1")])
        await #expect(throws: SafelistError.duplicatePattern(pointer: "/posts/1/pattern")) {
            _ = try await store.write(account: account, request: request)
        }
        #expect(try await store.policy(account: account, id: keep.id) == keep)
        let page = try await store.list(account: account, query: ListQuery())
        #expect(page.totalCount == 1 && page.policies == [keep])
    }

    @Test(arguments: StoreKind.available)
    func credentials(kind: StoreKind) async throws {
        let store = try kind.open()
        #expect(try await !store.hasCredentials())
        let issuer = CredentialIssuer(store: store)
        let (token, secret) = try await issuer.issueToken(name: "n", permission: .read, scope: .accounts([account, otherAccount]))
        #expect(try await store.hasCredentials())
        #expect(try await store.token(secretHash: Secret.hash(secret)) == token)
        #expect(try await store.tokens() == [token])
        #expect(try await store.revokeToken(id: token.id, at: .now()))
        #expect(try await store.token(secretHash: Secret.hash(secret))?.isActive(at: .now()) == false)
        #expect(try await !store.revokeToken(id: "missing", at: .now()))
        let (user, _) = try await issuer.createUser(email: "Me@Example.com", scope: .all)
        #expect(user.email == "me@example.com")
        #expect(try await store.user(email: "ME@example.com") == user)
        await #expect(throws: CredentialError.duplicateUser("me@example.com")) {
            _ = try await issuer.createUser(email: "me@example.com", scope: .all)
        }
        #expect(try await store.users() == [user])
        #expect(try await store.deleteUser(email: "me@example.com"))
        #expect(try await store.user(email: "me@example.com") == nil)
    }
}
