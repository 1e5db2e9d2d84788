import Foundation
import SafelistTesting
import Testing

@Suite("Many clients at once: no lost update, one winner per pattern")
struct ConcurrencyTests {
    @Test(arguments: StoreKind.available)
    func concurrentEditsOfDifferentFieldsAllLand(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let id = try await api.send(
                .post, policiesPath(accountA),
                json: policyBody(
                    "c@example.com", "EMAIL",
                    [
                        "is_trusted_sender": false, "is_exempt_recipient": false, "is_acceptable_sender": false, "verify_sender": false,
                    ])
            ).id
            let fields = ["is_trusted_sender", "is_exempt_recipient", "is_acceptable_sender", "verify_sender"]
            try await withThrowingTaskGroup(of: Int.self) { group in
                for field in fields {
                    group.addTask { try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: [field: true]).status }
                }
                group.addTask { try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["comments": "set"]).status }
                for try await status in group { #expect(status == 200) }
            }
            let final = try await api.send(.get, policiesPath(accountA, "/\(id)")).result
            for field in fields { #expect(final[field] as? Bool == true, "\(field)") }
            #expect(final["comments"] as? String == "set")
        }
    }

    @Test(arguments: StoreKind.available)
    func racingCreatesOfOnePatternYieldOneWinner(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let replies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        let reply = try await api.send(.post, policiesPath(accountA), json: policyBody("race.example", "DOMAIN"))
                        return (reply.status, reply.text)
                    }
                }
                return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
            }
            let statuses = replies.map(\.0)
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 15, "\(Set(replies.filter { $0.0 != 409 && $0.0 != 201 }.map(\.1)))")
        }
    }

    @Test(arguments: StoreKind.available)
    func manyWritersLoseNothing(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<25 {
                            let reply = try await api.send(.post, policiesPath(accountA), json: policyBody("w\(writer)-\(index)@example.com"))
                            #expect(reply.status == 201)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let listed = try await api.send(.get, policiesPath(accountA, "?per_page=1000"))
            #expect(listed.results.count == 200)
        }
    }
}
