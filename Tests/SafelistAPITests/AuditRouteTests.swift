import Foundation
import SafelistCore
import SafelistTesting
import Testing

@Suite("GET …/allow_policies/audit: who changed what, through the router")
struct AuditRouteTests {
    @Test(arguments: StoreKind.available)
    func everyWriteRouteIsRecordedWithItsOrigin(kind: StoreKind) async throws {
        let server = try await TestServer(kind)
        try await server.test { api in
            let tokenID = try #require(try await api.send(.get, "/client/v4/user/tokens/verify").result["id"] as? String)
            let created = try await api.send(.post, policiesPath(accountA), json: policyBody("a@example.com"))
            let id = created.id
            try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["comments": "edited"])
            try await api.send(.put, policiesPath(accountA, "/\(id)"), json: policyBody("b@example.com"))
            let batch = try await api.send(
                .post, policiesPath(accountA, "/batch"),
                json: ["deletes": [["id": id]], "patches": [], "puts": [], "posts": [policyBody("c@example.com")]])
            #expect(batch.status == 200)

            let trail = try await api.send(.get, policiesPath(accountA, "/audit"))
            #expect(trail.status == 200)
            let entries = trail.results
            #expect(entries.map { $0["action"] as? String } == ["create", "delete", "replace", "edit", "create"])
            #expect(entries.map { $0["via"] as? String } == ["batch", "batch", "api", "api", "api"])
            #expect(entries.allSatisfy { $0["actor"] as? String == "token:\(tokenID)" })
            #expect(entries.last?["request_id"] as? String == created.headers[.init("X-Request-ID")!])
            #expect((entries.last?["after"] as? [String: Any])?["pattern"] as? String == "a@example.com")
            #expect(entries.last?["before"] is NSNull)
            #expect((entries[1]["before"] as? [String: Any])?["pattern"] as? String == "b@example.com" && entries[1]["after"] is NSNull)
            #expect((entries[3]["after"] as? [String: Any])?["comments"] as? String == "edited")
            let info = try #require(trail.json["result_info"] as? [String: Any])
            #expect(info["total_count"] as? Int == 5 && info["count"] as? Int == 5)

            let one = try await api.send(.get, policiesPath(accountA, "/audit?policy_id=\(id)&per_page=2&page=2"))
            #expect(one.results.map { $0["action"] as? String } == ["edit", "create"])
            let nobody = try await api.send(.get, policiesPath(accountA, "/audit?actor=user:nobody@example.com"))
            #expect(nobody.status == 200 && nobody.results.isEmpty)
            // A page whose offset overflows is past the end, not a crash (found by schemathesis).
            let beyond = try await api.send(.get, policiesPath(accountA, "/audit?page=72057594037927935&per_page=1000"))
            #expect(beyond.status == 200 && beyond.results.isEmpty)
            #expect((beyond.json["result_info"] as? [String: Any])?["total_count"] as? Int == 5)
            let future = try await api.send(.get, policiesPath(accountA, "/audit?since=2999-01-01T00:00:00Z"))
            #expect(future.status == 200 && future.results.isEmpty)
        }
    }

    @Test func readPermissionAndScopeApply() async throws {
        let server = try await TestServer()
        let reader = try await server.issue(.read, .accounts([accountA]))
        try await server.test { api in
            try await api.send(.post, policiesPath(accountA), json: policyBody("a@example.com"))
            let read = try await api.send(.get, policiesPath(accountA, "/audit", bare: true), auth: .bearer(reader))
            #expect(read.status == 200 && read.results.count == 1)
            let elsewhere = try await api.send(.get, policiesPath(accountB, "/audit"), auth: .bearer(reader))
            #expect(elsewhere.status == 403 && elsewhere.errorCodes == [9109])
            let anonymous = try await api.send(.get, policiesPath(accountA, "/audit"), auth: APIClient.Auth.none)
            #expect(anonymous.status == 400 && anonymous.errorCodes == [9106])
        }
    }

    @Test func badFiltersAreRefusedTogether() async throws {
        try await TestServer().test { api in
            let reply = try await api.send(.get, policiesPath(accountA, "/audit?since=yesterday&per_page=0&policy_id=nope&page=1&page=2"))
            #expect(reply.status == 400)
            #expect(Set(reply.pointers) == ["/query/since", "/query/per_page", "/query/policy_id", "/query/page"])
            #expect(reply.errorCodes.allSatisfy { $0 == ErrorCode.invalidQueryParameter.rawValue })
        }
    }
}
