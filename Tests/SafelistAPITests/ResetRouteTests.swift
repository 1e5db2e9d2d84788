import Foundation
import SafelistCore
import SafelistTesting
import Testing

@Suite("POST /client/v4/safelist/reset: only when allowed, only for Write on every account")
struct ResetRouteTests {
    @Test func refusedUnlessTheServerAllowsIt() async throws {
        try await TestServer().test { api in
            try await api.send(.post, policiesPath(accountA), json: policyBody("a@example.com"))
            let reply = try await api.send(.post, "/client/v4/safelist/reset")
            #expect(reply.status == 403 && reply.errorCodes == [ErrorCode.resetNotAllowed.rawValue])
            #expect(try await api.send(.get, policiesPath(accountA)).results.count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func emptiesOneAccountOrAll(kind: StoreKind) async throws {
        let server = try await TestServer(kind, allowReset: true)
        let scoped = try await server.issue(.write, .accounts([accountA]))
        try await server.test { api in
            for pattern in ["a@example.com", "b@example.com"] { try await api.send(.post, policiesPath(accountA), json: policyBody(pattern)) }
            try await api.send(.post, policiesPath(accountB), json: policyBody("c@example.com"))
            let narrow = try await api.send(.post, "/client/v4/safelist/reset", auth: .bearer(scoped))
            #expect(narrow.status == 403 && narrow.errorCodes == [ErrorCode.resetNotAllowed.rawValue])

            let one = try await api.send(.post, "/client/v4/safelist/reset?account_id=\(accountA.rawValue)")
            #expect(one.status == 200 && one.result["deleted"] as? Int == 2)
            #expect(try await api.send(.get, policiesPath(accountA)).results.isEmpty)
            #expect(try await api.send(.get, policiesPath(accountB)).results.count == 1)
            // The engine saw it: nothing of account A matches any more.
            let evaluated = try await api.send(
                .post, policiesPath(accountA, "/evaluate"), json: ["envelope_from": "a@example.com", "recipients": ["me@corp.example"]])
            #expect((evaluated.result["matches"] as? [Any])?.isEmpty == true)

            let all = try await api.send(.post, "/safelist/reset")
            #expect(all.status == 200 && all.result["deleted"] as? Int == 1)
            let trail = try await api.send(.get, policiesPath(accountA, "/audit"))
            #expect(trail.results.prefix(2).allSatisfy { $0["action"] as? String == "delete" })
        }
    }
}
