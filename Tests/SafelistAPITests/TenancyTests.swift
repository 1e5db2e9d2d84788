import Foundation
import HTTPTypes
import SafelistTesting
import Testing

@Suite("Tenancy: a policy of another account is indistinguishable from a missing one")
struct TenancyTests {
    @Test(arguments: StoreKind.available)
    func everyRouteAnswersNotFoundForAnotherAccountsPolicy(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let foreign = try await api.send(.post, policiesPath(accountB), json: policyBody("b@example.com")).id
            let missing = UUID().uuidString.lowercased()
            func same(_ method: HTTPMethodName, _ body: Any?, batch: Bool = false) async throws {
                var replies: [Reply] = []
                for id in [foreign, missing] {
                    if batch {
                        replies.append(
                            try await api.send(
                                .post, policiesPath(accountA, "/batch"),
                                json: ["deletes": [["id": id]], "patches": [], "puts": [], "posts": []]))
                    } else {
                        replies.append(try await api.send(method.method, policiesPath(accountA, "/\(id)"), json: body))
                    }
                }
                #expect(replies[0].status == 404, "\(method)")
                #expect(replies[0].status == replies[1].status)
                #expect(replies[0].data == replies[1].data, "identical bodies for \(method)")
            }
            try await same(.get, nil)
            try await same(.patch, ["comments": "x"])
            try await same(.put, policyBody("a@example.com"))
            try await same(.delete, nil)
            try await same(.post, nil, batch: true)
            // Patch and put inside a batch too.
            for key in ["patches", "puts"] {
                var item: [String: Any] = key == "patches" ? ["comments": "x"] : policyBody("z@example.com")
                item["id"] = foreign
                let reply = try await api.send(
                    .post, policiesPath(accountA, "/batch"),
                    json: [
                        "deletes": [], "patches": key == "patches" ? [item] : [], "puts": key == "puts" ? [item] : [], "posts": [],
                    ])
                #expect(reply.status == 404 && reply.pointers == ["/\(key)/0/id"])
            }
            let listA = try await api.send(.get, policiesPath(accountA))
            #expect(listA.results.isEmpty)
            let still = try await api.send(.get, policiesPath(accountB, "/\(foreign)"))
            #expect(still.status == 200 && still.result["comments"] is NSNull)
        }
    }
}

enum HTTPMethodName: String, CustomStringConvertible {
    case get, patch, put, delete, post
    var description: String { rawValue }

    var method: HTTPRequest.Method {
        switch self {
        case .get: .get
        case .patch: .patch
        case .put: .put
        case .delete: .delete
        case .post: .post
        }
    }
}
