import Foundation
import SafelistTesting
import Testing

@Suite("The real executable", .serialized)
struct DurabilityTests {
    let account = String(repeating: "c", count: 32)
    var collection: String { "/accounts/\(account)/email-security/settings/allow_policies" }

    func temporaryDatabase() throws -> String {
        let directory = try temporaryDirectory("safelist-proc")
        return directory.appendingPathComponent("durable.sqlite").path
    }

    func body(_ pattern: String, comments: String? = nil) -> [String: Any] {
        [
            "pattern": pattern, "pattern_type": "EMAIL", "is_regex": false, "is_trusted_sender": true,
            "is_exempt_recipient": false, "is_acceptable_sender": false, "verify_sender": false,
            "comments": comments as Any? ?? NSNull(),
        ]
    }

    @Test(.timeLimit(.minutes(3)), arguments: StoreKind.available)
    func everyAcknowledgedWriteSurvivesKillNine(kind: StoreKind) async throws {
        let database = kind == .postgres ? try await PostgresTestDatabase.create() : try temporaryDatabase()
        let first = try ServerProcess(database: database)
        try await first.start()
        let token = try #require(first.bootstrapToken, "first start prints a bootstrap token: \(first.stdout)")

        // Many clients at once, then a batch, then edits: remember exactly what was acknowledged.
        let collection = collection
        let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
            for index in 0..<120 {
                let payload = try JSONSerialization.data(withJSONObject: body("p\(index)@example.com"))
                group.addTask {
                    try await first.send(
                        "POST", collection, token: token,
                        json: try JSONSerialization.jsonObject(with: payload))
                }
            }
            return try await group.reduce(into: [Reply]()) { $0.append($1) }
        }
        let created = replies.filter { $0.status == 201 }.compactMap { $0.json["result"] as? [String: Any] }
        #expect(created.count == 120)
        let (batchStatus, batch) = try await first.request(
            "POST", collection + "/batch", token: token,
            json: [
                "deletes": [], "patches": [], "puts": [],
                "posts": (0..<300).map { body("b\($0)@example.com") },
            ])
        #expect(batchStatus == 200)
        let posted = (batch["result"] as? [String: Any])?["posts"] as? [[String: Any]] ?? []
        var expected: [String: [String: Any]] = [:]
        for policy in created + posted { expected[policy["id"] as? String ?? ""] = policy }
        for policy in created.prefix(20) {
            let id = policy["id"] as? String ?? ""
            let (status, json) = try await first.request("PATCH", collection + "/\(id)", token: token, json: ["comments": "edited"])
            #expect(status == 200)
            expected[id] = json["result"] as? [String: Any]
        }
        first.signal(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)

        let second = try ServerProcess(database: database)
        try await second.start()
        #expect(second.bootstrapToken == nil, "credentials exist: no second bootstrap token")
        let (listStatus, list) = try await second.request("GET", collection + "?per_page=1", token: token)
        #expect(listStatus == 200)
        #expect((list["result_info"] as? [String: Any])?["total_count"] as? Int == 420)
        for (id, policy) in expected {
            let (status, json) = try await second.request("GET", collection + "/\(id)", token: token)
            #expect(status == 200)
            let stored = json["result"] as? [String: Any] ?? [:]
            #expect(NSDictionary(dictionary: stored) == NSDictionary(dictionary: policy), "\(id)")
        }
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0, "SIGTERM shuts down gracefully")
    }

    /// SIGTERM while a request is in flight — its headers and half its body sent, the rest sent
    /// after the signal: the request is answered in full, then the server exits 0.
    @Test(.timeLimit(.minutes(1)), arguments: StoreKind.available)
    func shutdownDrainsRequestsInFlight(kind: StoreKind) async throws {
        let database = kind == .postgres ? try await PostgresTestDatabase.create() : try temporaryDatabase()
        let server = try ServerProcess(database: database)
        try await server.start()
        let token = try #require(server.bootstrapToken)
        let posts = (0..<200).map { body("drain\($0)@example.com") }
        let payload = try JSONSerialization.data(withJSONObject: ["deletes": [], "patches": [], "puts": [], "posts": posts])
        let head =
            "POST /client/v4\(collection)/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
        let connection = try RawConnection(port: server.port)
        try connection.write(Data(head.utf8) + payload.prefix(payload.count / 2))
        try await Task.sleep(for: .milliseconds(200))
        server.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(200))
        try connection.write(payload.suffix(from: payload.count / 2))
        let response = try connection.readToEnd()
        #expect(response.hasPrefix("HTTP/1.1 200"), "\(response.prefix(300))")
        #expect(response.contains("drain199@example.com"))
        #expect(try await server.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func sigintShutsDownCleanlyAndUnauthenticatedRequestsAreRefused() async throws {
        let server = try ServerProcess(database: try temporaryDatabase())
        try await server.start()
        let (status, json) = try await server.request("GET", collection, token: "not-a-real-token-but-well-formed")
        #expect(status == 403)
        #expect((json["errors"] as? [[String: Any]])?.first?["code"] as? Int == 10000)
        server.signal(SIGINT)
        #expect(try await server.waitForExit() == 0)
    }
}
