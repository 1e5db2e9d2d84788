import Foundation
import SafelistCore
import SafelistTesting
import Testing

/// `POST …/allow_policies/evaluate` through the real router: auth, validation as a raw client
/// would meet it, one message and a batch, and freshness after writes.
@Suite("Evaluate route")
struct EvaluateTests {
    let evaluate = policiesPath(accountA, "/evaluate")

    static var message: [String: Any] {
        [
            "envelope_from": "Ann@Example.com", "header_from": "\"Ann\" <ann@example.com>",
            "recipients": ["ceo@corp.example", "x@elsewhere.example"], "client_ip": "203.0.113.9",
            "client_hostname": "mx1.example.com.", "auth": ["spf": "pass", "dkim": "none", "dmarc": "fail"],
            "disposition": "SPAM",
        ]
    }

    @Test(arguments: StoreKind.available)
    func readPermissionSufficesAndScopeIsEnforced(kind: StoreKind) async throws {
        let server = try await TestServer(kind)
        let readA = try await server.issue(.read, .accounts([accountA]))
        let readB = try await server.issue(.read, .accounts([accountB]))
        try await server.test { api in
            #expect(try await api.send(.post, evaluate, json: Self.message, auth: .bearer(readA)).status == 200)
            let other = try await api.send(.post, evaluate, json: Self.message, auth: .bearer(readB))
            #expect(other.status == 403 && other.errorCodes == [9109])
            let none = try await api.send(.post, evaluate, json: Self.message, auth: APIClient.Auth.none)
            #expect(none.status == 400 && none.errorCodes == [9106])
            let get = try await api.send(.get, evaluate)
            #expect(get.status == 405 && get.headers[.allow] == "POST")
            // Served bare too, like every route.
            #expect(try await api.send(.post, policiesPath(accountA, "/evaluate", bare: true), json: Self.message).status == 200)
        }
    }

    @Test(arguments: StoreKind.available)
    func oneMessageReportsMatchesAndEffects(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let trusted = try await api.send(.post, policiesPath(accountA), json: policyBody("example.com", "DOMAIN", ["verify_sender": true]))
            _ = try await api.send(
                .post, policiesPath(accountA),
                json: policyBody(
                    "ceo@corp\\.example", "EMAIL", regex: true,
                    [
                        "is_trusted_sender": false, "is_exempt_recipient": true, "verify_sender": false,
                    ]))
            _ = try await api.send(
                .post, policiesPath(accountA),
                json: policyBody(
                    "203.0.113.0/24", "IP",
                    [
                        "is_trusted_sender": false, "is_acceptable_sender": true, "verify_sender": false,
                    ]))
            let reply = try await api.send(.post, evaluate, json: Self.message)
            #expect(reply.status == 200, "\(reply.text)")
            let matches = reply.result["matches"] as? [[String: Any]] ?? []
            #expect(
                matches.map { "\($0["pattern"] ?? "") <- \($0["subject"] ?? "")" } == [
                    "example.com <- envelope_from", "example.com <- header_from", "example.com <- client_hostname",
                    "203.0.113.0/24 <- client_ip", "ceo@corp\\.example <- recipients",
                ])
            let first = try #require(matches.first)
            #expect(first["policy_id"] as? String == trusted.id)
            #expect(first["value"] as? String == "example.com" && first["honored"] as? Bool == true)
            #expect(first["grants"] as? [String] == ["trusted_sender"] && first["pattern_type"] as? String == "DOMAIN")
            #expect(matches.last?["subject_index"] as? Int == 0 && matches.last?["is_regex"] as? Bool == true)
            let effects = reply.result["effects"] as? [String: Any] ?? [:]
            #expect(effects["trusted_sender"] as? Bool == true && effects["acceptable_sender"] as? Bool == true)
            #expect(effects["exempt_recipients"] as? [String] == ["ceo@corp.example"])
            #expect(effects["disposition"] as? String == "NONE")
            let recipients = effects["recipients"] as? [[String: Any]] ?? []
            #expect(recipients.map { $0["exempt"] as? Bool } == [true, false])
        }
    }

    @Test(arguments: StoreKind.available)
    func aBatchAnswersInOrderAndWritesAreSeenAtOnce(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            var other = Self.message
            other["envelope_from"] = "nobody@else.example"
            other["header_from"] = "nobody@else.example"
            other["client_hostname"] = nil
            let batch: [String: Any] = ["messages": [Self.message, other, ["envelope_from": "", "recipients": ["a@b.example"]]]]
            let before = try await api.send(.post, evaluate, json: batch)
            #expect(before.status == 200 && before.results.count == 3)
            #expect(before.results.allSatisfy { ($0["matches"] as? [Any])?.isEmpty == true })

            let created = try await api.send(.post, policiesPath(accountA), json: policyBody("ann@example.com", "EMAIL", ["verify_sender": false]))
            let after = try await api.send(.post, evaluate, json: batch)
            #expect(after.results.map { ($0["matches"] as? [Any])?.count } == [2, 0, 0])
            #expect((after.results[0]["effects"] as? [String: Any])?["disposition"] as? String == "NONE")
            #expect((after.results[1]["effects"] as? [String: Any])?["disposition"] as? String == "SPAM")
            #expect((after.results[2]["effects"] as? [String: Any])?["disposition"] is NSNull)

            #expect(try await api.send(.delete, policiesPath(accountA, "/" + created.id)).status == 200)
            let deleted = try await api.send(.post, evaluate, json: batch)
            #expect(deleted.results.allSatisfy { ($0["matches"] as? [Any])?.isEmpty == true })
        }
    }

    @Test func badBodiesAreRefusedWithPointers() async throws {
        try await TestServer().test { api in
            let cases: [(body: [String: Any], codes: [Int], pointers: [String])] = [
                ([:], [25010, 25010], ["/envelope_from", "/recipients"]),
                (["envelope_from": "a@b.example", "recipients": []], [25013], ["/recipients"]),
                (["envelope_from": 7, "recipients": ["x"]], [25011, 25020], ["/envelope_from", "/recipients/0"]),
                (
                    ["envelope_from": "not-an-address", "recipients": ["a@b.example"], "colour": "red"], [25012, 25020],
                    ["/colour", "/envelope_from"]
                ),
                (["envelope_from": "a@b.example", "recipients": ["a@b.example"], "client_ip": "10.0.0.0/8"], [25022], ["/client_ip"]),
                (["envelope_from": "a@b.example", "recipients": ["a@b.example"], "client_ip": "300.1.1.1"], [25022], ["/client_ip"]),
                (
                    ["envelope_from": "a@b.example", "recipients": ["a@b.example"], "auth": ["spf": "passed", "arc": "pass"]], [25012, 25013],
                    ["/auth/arc", "/auth/spf"]
                ),
                (["envelope_from": "a@b.example", "recipients": ["a@b.example"], "disposition": "EVIL"], [25013], ["/disposition"]),
                (["envelope_from": "a@b.example", "recipients": "a@b.example"], [25011], ["/recipients"]),
                (["envelope_from": "a@b.example", "recipients": ["a b@c.example"]], [25020], ["/recipients/0"]),
                (["messages": [], "extra": 1], [25012, 25016], ["/extra", "/messages"]),
                (["messages": Array(repeating: ["envelope_from": "", "recipients": ["a@b.example"]], count: 1001)], [25016], ["/messages"]),
            ]
            for (body, codes, pointers) in cases {
                let reply = try await api.send(.post, evaluate, json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.errorCodes == codes, "\(body): \(reply.text)")
                #expect(reply.pointers == pointers, "\(body): \(reply.text)")
            }
            #expect(try await api.send(.post, evaluate, raw: "[1]").errorCodes == [25011])
            #expect(try await api.send(.post, evaluate, raw: "{\"envelope_from\": ").errorCodes == [25001])
            #expect(try await api.send(.post, evaluate, raw: "x", contentType: "text/plain").status == 415)
            let thousand = ["messages": Array(repeating: ["envelope_from": "", "recipients": ["a@b.example"]], count: 1000)]
            let full = try await api.send(.post, evaluate, json: thousand)
            #expect(full.status == 200 && full.results.count == 1000)
        }
    }
}

/// Issue 14 through the router: mail as it is written, results from trusted headers only, and a
/// batch that answers per message.
@Suite("Evaluate route: mail as it is written")
struct EvaluateMailFormsTests {
    static let evaluate = policiesPath(accountA, "/evaluate")
    static var partner: [String: Any] { policyBody("partner.example", "DOMAIN", ["verify_sender": true]) }

    @Test(arguments: StoreKind.available)
    func aBatchAnswersEachMessageInItsPlace(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            _ = try await api.send(.post, policiesPath(accountA), json: Self.partner)
            let good: [String: Any] = [
                "envelope_from": "<bounce@partner.example>", "header_from": "\"Bob, CFO\" <bob@partner.example>",
                "recipients": ["<ceo@corp.example>"], "auth": ["spf": "pass"],
            ]
            let bad: [String: Any] = ["envelope_from": "<>", "header_from": "Bob <bob@partner.example", "recipients": ["ceo@corp.example"]]
            let reply = try await api.send(
                .post, Self.evaluate, json: ["messages": [good, bad, ["envelope_from": "<>", "recipients": "x"], good, "x"]])
            #expect(reply.status == 200, "\(reply.text)")
            let results = reply.results
            #expect(results.count == 5)
            #expect((results[0]["effects"] as? [String: Any])?["trusted_sender"] as? Bool == true)
            let errors = results[1]["errors"] as? [[String: Any]] ?? []
            #expect(errors.compactMap { ($0["source"] as? [String: Any])?["pointer"] as? String } == ["/messages/1/header_from"])
            #expect((results[2]["errors"] as? [[String: Any]])?.first?["code"] as? Int == 25011)
            #expect(results[3]["matches"] != nil)
            let notAnObject = (results[4]["errors"] as? [[String: Any]])?.first
            #expect(notAnObject?["code"] as? Int == 25011 && (notAnObject?["message"] as? String)?.hasPrefix("messages[4] must be an object") == true)
            #expect((notAnObject?["source"] as? [String: Any])?["pointer"] as? String == "/messages/4")
        }
    }

    @Test(arguments: StoreKind.available)
    func aBadMessageAloneIsStillRefusedWhole(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let reply = try await api.send(
                .post, Self.evaluate, json: ["envelope_from": "<>", "header_from": "a@b.example c@d.example", "recipients": ["x@y.example"]])
            #expect(reply.status == 400 && reply.errorCodes == [25020] && reply.pointers == ["/header_from"])
        }
    }

    @Test(arguments: StoreKind.available)
    func authenticationResultsAreReadFromTrustedAuthservIDsOnly(kind: StoreKind) async throws {
        try await TestServer(kind, trustedAuthservIDs: ["mx.corp.example"]).test { api in
            _ = try await api.send(.post, policiesPath(accountA), json: Self.partner)
            func honored(_ results: [String]) async throws -> (Bool?, [String]) {
                let reply = try await api.send(
                    .post, Self.evaluate,
                    json: [
                        "envelope_from": "x@evil.example", "header_from": "bob@partner.example", "recipients": ["ceo@corp.example"],
                        "authentication_results": results, "auth": ["spf": ["result": "pass", "domain": "evil.example"]],
                    ])
                let matches = reply.result["matches"] as? [[String: Any]] ?? []
                return (
                    matches.first?["honored"] as? Bool,
                    reply.messages.compactMap { $0["message"] as? String } + matches.compactMap { $0["reason"] as? String }
                )
            }
            let trusted = try await honored(["mx.corp.example; dkim=pass header.d=partner.example"])
            #expect(trusted.0 == true)
            let untrusted = try await honored(["attacker.example; dkim=pass header.d=partner.example"])
            #expect(untrusted.0 == false)
            #expect(untrusted.1.contains { $0.contains("attacker.example ignored") })
            #expect(untrusted.1.contains { $0.contains("SPF pass is for evil.example, not aligned") })
        }
    }
}
