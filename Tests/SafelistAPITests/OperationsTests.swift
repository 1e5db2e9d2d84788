import Foundation
import SafelistCore
import SafelistTesting
import Testing

@Suite("Every operation's happy path, every field checked")
struct OperationsTests {
    /// A policy read by id is cached (`PolicyReadCache`): the node's own writes show at once,
    /// and so do another process's on SQLite (another node's on PostgreSQL, once notified).
    @Test(arguments: StoreKind.available)
    func aCachedPolicyFollowsEveryWrite(kind: StoreKind) async throws {
        let server = try await TestServer(kind)
        try await server.test { api in
            let created = try await api.send(.post, policiesPath(accountA), json: policyBody("cached@partner.example"))
            let id = try #require(created.result["id"] as? String)
            let path = policiesPath(accountA, "/\(id)")
            for _ in 0..<3 { #expect(try await api.send(.get, path).result["comments"] is NSNull) }

            #expect(try await api.send(.patch, path, json: ["comments": "mine"]).status == 200)
            #expect(try await api.send(.get, path).result["comments"] as? String == "mine", "read your writes")

            let policyID = try #require(PolicyID(id))
            _ = try await server.store.edit(account: accountA, id: policyID, edit: PolicyEdit(comments: .some("theirs")))
            var seen: String?
            for _ in 0..<(kind == .sqlite ? 1 : 100) where seen != "theirs" {
                seen = try await api.send(.get, path).result["comments"] as? String
                if seen != "theirs" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(seen == "theirs", "another writer's edit is seen")

            try await server.store.delete(account: accountA, id: policyID)
            var status = 0
            for _ in 0..<(kind == .sqlite ? 1 : 100) where status != 404 {
                status = try await api.send(.get, path).status
                if status != 404 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == 404, "another writer's delete is seen")
        }
    }

    static var rfc3339: Regex<Substring> { #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/# }

    func expectPolicy(
        _ p: [String: Any], pattern: String, type: String, regex: Bool = false,
        trusted: Bool, exempt: Bool, acceptable: Bool, verify: Bool, comments: String?
    ) {
        #expect(p["pattern"] as? String == pattern)
        #expect(p["pattern_type"] as? String == type)
        #expect(p["is_regex"] as? Bool == regex)
        #expect(p["is_trusted_sender"] as? Bool == trusted)
        #expect(p["is_exempt_recipient"] as? Bool == exempt)
        #expect(p["is_acceptable_sender"] as? Bool == acceptable)
        #expect(p["verify_sender"] as? Bool == verify)
        #expect(p["is_sender"] as? Bool == trusted)
        #expect(p["is_recipient"] as? Bool == exempt)
        #expect(p["is_spoof"] as? Bool == acceptable)
        if let comments { #expect(p["comments"] as? String == comments) } else { #expect(p["comments"] is NSNull) }
        let id = p["id"] as? String ?? ""
        #expect(UUID(uuidString: id) != nil && id == id.lowercased())
        for key in ["created_at", "modified_at", "last_modified"] {
            let value = p[key] as? String ?? ""
            #expect(value.wholeMatch(of: Self.rfc3339) != nil, "\(key) = \(value)")
        }
        #expect(p["last_modified"] as? String == p["modified_at"] as? String)
        #expect(p.count == 15, "exactly the 15 documented fields: \(p.keys.sorted())")
    }

    @Test(arguments: StoreKind.available)
    func createGetListEditReplaceDelete(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let created = try await api.send(
                .post, policiesPath(accountA),
                json: policyBody(
                    "Alice@Example.COM", "EMAIL", ["is_acceptable_sender": true, "comments": "vendor"]))
            #expect(created.status == 201)
            #expect(created.json["success"] as? Bool == true)
            #expect((created.json["errors"] as? [Any])?.isEmpty == true)
            expectPolicy(
                created.result, pattern: "alice@example.com", type: "EMAIL", trusted: true, exempt: false,
                acceptable: true, verify: true, comments: "vendor")
            #expect(created.result["created_at"] as? String == created.result["modified_at"] as? String)
            let id = created.id

            let fetched = try await api.send(.get, policiesPath(accountA, "/\(id)"))
            #expect(fetched.status == 200)
            #expect(NSDictionary(dictionary: fetched.result) == NSDictionary(dictionary: created.result))

            let listed = try await api.send(.get, policiesPath(accountA))
            #expect(listed.status == 200)
            #expect(listed.results.count == 1)
            #expect(NSDictionary(dictionary: listed.results[0]) == NSDictionary(dictionary: created.result))
            let info = listed.json["result_info"] as? [String: Any] ?? [:]
            #expect(info["page"] as? Int == 1 && info["per_page"] as? Int == 20)
            #expect(info["count"] as? Int == 1 && info["total_count"] as? Int == 1)

            let edited = try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["verify_sender": false])
            #expect(edited.status == 200)
            expectPolicy(
                edited.result, pattern: "alice@example.com", type: "EMAIL", trusted: true, exempt: false,
                acceptable: true, verify: false, comments: "vendor")
            #expect(edited.result["created_at"] as? String == created.result["created_at"] as? String)
            #expect((edited.result["modified_at"] as? String ?? "") > (created.result["modified_at"] as? String ?? ""))

            let replaced = try await api.send(
                .put, policiesPath(accountA, "/\(id)"),
                json: policyBody(
                    "example.org", "DOMAIN", ["is_trusted_sender": false, "is_exempt_recipient": true]))
            #expect(replaced.status == 200)
            expectPolicy(
                replaced.result, pattern: "example.org", type: "DOMAIN", trusted: false, exempt: true,
                acceptable: false, verify: true, comments: nil)
            #expect(replaced.id == id)
            #expect(replaced.result["created_at"] as? String == created.result["created_at"] as? String)

            let deleted = try await api.send(.delete, policiesPath(accountA, "/\(id)"), raw: nil)
            #expect(deleted.status == 200)
            #expect(deleted.result as NSDictionary == ["id": id] as NSDictionary)
            #expect(try await api.send(.get, policiesPath(accountA, "/\(id)")).status == 404)
            #expect(try await api.send(.delete, policiesPath(accountA, "/\(id)")).status == 404)
        }
    }

    @Test(arguments: StoreKind.available)
    func deleteWithJSONContentTypeAndNoBody(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let id = try await api.send(.post, policiesPath(accountA), json: policyBody("1.2.3.4", "IP")).id
            // The official SDK sends Content-Type: application/json with an empty body.
            let reply = try await api.send(.delete, policiesPath(accountA, "/\(id)"), headers: [("Content-Type", "application/json")])
            #expect(reply.status == 200)
            #expect(reply.result["id"] as? String == id)
        }
    }

    @Test(arguments: StoreKind.available)
    func barePathServesTheSameAPI(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let created = try await api.send(.post, policiesPath(accountA, bare: true), json: policyBody("example.com", "DOMAIN"))
            #expect(created.status == 201)
            let viaPrefix = try await api.send(.get, policiesPath(accountA, "/\(created.id)"))
            #expect(viaPrefix.status == 200)
            let viaBare = try await api.send(.get, policiesPath(accountA, "/\(created.id)", bare: true))
            #expect(viaBare.result["pattern"] as? String == "example.com")
        }
    }

    @Test(arguments: StoreKind.available)
    func replaceResetsOmittedComments(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let id = try await api.send(.post, policiesPath(accountA), json: policyBody("a@b.com", "EMAIL", ["comments": "keep?"])).id
            let replaced = try await api.send(.put, policiesPath(accountA, "/\(id)"), json: policyBody("a@b.com"))
            #expect(replaced.result["comments"] is NSNull)
            let edited = try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["comments": "again"])
            #expect(edited.result["comments"] as? String == "again")
            let cleared = try await api.send(.patch, policiesPath(accountA, "/\(id)"), json: ["comments": NSNull()])
            #expect(cleared.result["comments"] is NSNull)
        }
    }

    @Test(arguments: StoreKind.available)
    func deprecatedAliasesSetTheirReplacementsWithANotice(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            var body = policyBody("spoofy.example", "DOMAIN")
            body["is_trusted_sender"] = nil
            body["is_exempt_recipient"] = nil
            body["is_acceptable_sender"] = nil
            body["is_sender"] = false
            body["is_recipient"] = true
            body["is_spoof"] = false
            let created = try await api.send(.post, policiesPath(accountA), json: body)
            #expect(created.status == 201)
            #expect(created.result["is_trusted_sender"] as? Bool == false)
            #expect(created.result["is_exempt_recipient"] as? Bool == true)
            #expect(created.result["is_acceptable_sender"] as? Bool == false)
            #expect(created.messages.count == 3)
            #expect(created.messages.allSatisfy { $0["code"] as? Int == 25070 })

            let same = try await api.send(
                .patch, policiesPath(accountA, "/\(created.id)"),
                json: ["is_sender": true, "is_trusted_sender": true])
            #expect(same.status == 200)
            #expect(same.result["is_trusted_sender"] as? Bool == true)

            let clash = try await api.send(
                .patch, policiesPath(accountA, "/\(created.id)"),
                json: ["is_spoof": false, "is_acceptable_sender": true])
            #expect(clash.status == 400)
            #expect(clash.errorCodes == [25014])
            #expect(clash.pointers == ["/is_spoof"])
        }
    }

    @Test(arguments: StoreKind.available)
    func batchAppliesInOrderAndAnswersEachArray(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let doomed = try await api.send(.post, policiesPath(accountA), json: policyBody("old@example.com")).id
            let patched = try await api.send(.post, policiesPath(accountA), json: policyBody("patch@example.com")).id
            let put = try await api.send(.post, policiesPath(accountA), json: policyBody("put@example.com")).id
            var putBody = policyBody("198.51.99.0/24", "IP", ["comments": "net"])
            putBody["id"] = put
            let reply = try await api.send(
                .post, policiesPath(accountA, "/batch"),
                json: [
                    "deletes": [["id": doomed]],
                    "patches": [["id": patched, "comments": "patched"]],
                    "puts": [putBody],
                    // The deleted pattern is free again within the same batch: deletes run first.
                    "posts": [policyBody("old@example.com"), policyBody("new.example", "DOMAIN")],
                ])
            #expect(reply.status == 200, "\(reply.text)")
            let result = reply.result
            #expect((result["deletes"] as? [[String: Any]])?.map { $0["id"] as? String } == [doomed])
            let patches = result["patches"] as? [[String: Any]] ?? []
            #expect(patches.count == 1 && patches[0]["comments"] as? String == "patched" && patches[0]["id"] as? String == patched)
            let puts = result["puts"] as? [[String: Any]] ?? []
            #expect(puts.count == 1 && puts[0]["pattern"] as? String == "198.51.99.0/24" && puts[0]["id"] as? String == put)
            let posts = result["posts"] as? [[String: Any]] ?? []
            #expect(posts.map { $0["pattern"] as? String } == ["old@example.com", "new.example"])
            // Posts keep item order in created_at.
            #expect((posts[0]["created_at"] as? String ?? "") < (posts[1]["created_at"] as? String ?? ""))
            let listed = try await api.send(.get, policiesPath(accountA, "?per_page=100"))
            #expect(listed.results.count == 4)
            #expect(try await api.send(.get, policiesPath(accountA, "/\(doomed)")).status == 404)
        }
    }

    @Test(arguments: StoreKind.available)
    func batchFailureRollsBackEverything(kind: StoreKind) async throws {
        try await TestServer(kind).test { api in
            let keep = try await api.send(.post, policiesPath(accountA), json: policyBody("keep@example.com")).id
            let before = try await api.send(.get, policiesPath(accountA, "/\(keep)")).result
            let missing = UUID().uuidString.lowercased()
            let reply = try await api.send(
                .post, policiesPath(accountA, "/batch"),
                json: [
                    "deletes": [["id": keep]],
                    "patches": [],
                    "puts": [],
                    "posts": [policyBody("fresh@example.com"), policyBody("fresh@example.com")],
                ])
            #expect(reply.status == 409)
            #expect(reply.pointers == ["/posts/1/pattern"])
            #expect(reply.headers[.init("x-should-retry")!] == "false")
            let after = try await api.send(.get, policiesPath(accountA, "/\(keep)"))
            #expect(after.status == 200)
            #expect(NSDictionary(dictionary: after.result) == NSDictionary(dictionary: before))
            #expect(try await api.send(.get, policiesPath(accountA)).results.count == 1)

            let notFound = try await api.send(
                .post, policiesPath(accountA, "/batch"),
                json: [
                    "deletes": [], "patches": [["id": missing, "comments": "x"]], "puts": [],
                    "posts": [policyBody("other@example.com")],
                ])
            #expect(notFound.status == 404)
            #expect(notFound.pointers == ["/patches/0/id"])
            #expect(try await api.send(.get, policiesPath(accountA)).results.count == 1)
        }
    }
}
