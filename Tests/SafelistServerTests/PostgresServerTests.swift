import Foundation
import SafelistTesting
import Testing

@Suite("PostgreSQL: several nodes, outages, configuration", .serialized)
struct PostgresServerTests {
    let account = String(repeating: "e", count: 32)
    var collection: String { "/accounts/\(account)/email-security/settings/allow_policies" }

    func body(_ pattern: String) -> [String: Any] {
        [
            "pattern": pattern, "pattern_type": "EMAIL", "is_regex": false, "is_trusted_sender": true,
            "is_exempt_recipient": false, "is_acceptable_sender": false, "verify_sender": false,
        ]
    }

    /// Makes a missing PostgreSQL visible: skipped with the notice on a developer machine, a
    /// failure in CI (which sets SAFELIST_REQUIRE_POSTGRES=1).
    @Test(.enabled(if: PostgresTestDatabase.isConfigured || PostgresTestDatabase.isRequired, Comment(rawValue: PostgresTestDatabase.notice)))
    func postgresBackendIsUnderTest() {
        #expect(StoreKind.available.contains(.postgres), "SAFELIST_REQUIRE_POSTGRES=1 but SAFELIST_TEST_POSTGRES_URL is not set")
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.notice)), .timeLimit(.minutes(2)))
    func twoNodesOverOneDatabase() async throws {
        let database = try await PostgresTestDatabase.create()
        let first = try ServerProcess(database: database)
        try await first.start()
        let token = try #require(first.bootstrapToken)
        let second = try ServerProcess(database: database)
        try await second.start()
        #expect(second.bootstrapToken == nil, "one bootstrap token for the whole database")

        // Written through one node, read through the other at once.
        let (status, created) = try await first.request("POST", collection, token: token, json: body("shared@example.com"))
        #expect(status == 201)
        let id = (created["result"] as? [String: Any])?["id"] as? String ?? ""
        let (readStatus, read) = try await second.request("GET", collection + "/\(id)", token: token)
        #expect(readStatus == 200)
        #expect(
            NSDictionary(dictionary: read["result"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: created["result"] as? [String: Any] ?? [:]))

        // The same pattern created through both nodes at once: one 201, one 409 that is not retried.
        let collection = collection
        for round in 0..<5 {
            let payload = try JSONSerialization.data(withJSONObject: body("race\(round)@example.com"))
            async let a = first.send("POST", collection, token: token, json: try JSONSerialization.jsonObject(with: payload))
            async let b = second.send("POST", collection, token: token, json: try JSONSerialization.jsonObject(with: payload))
            let replies = try await [a, b]
            #expect(replies.map(\.status).sorted() == [201, 409], "round \(round)")
        }

        // A token minted on one node works on the other; revoked, it stops on both.
        let minted = try await run(["token", "create", "--permission", "read", "--all-accounts"], database: database)
        let secret = try #require(minted.split(separator: "\n").first { $0.hasPrefix("secret: ") }.map { String($0.dropFirst(8)) })
        #expect(try await second.request("GET", collection, token: secret).0 == 200)
        let tokenID = try #require(minted.split(separator: "\n").first { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) })
        _ = try await run(["token", "revoke", tokenID], database: database)
        #expect(try await first.request("GET", collection, token: secret).0 == 403)
        #expect(try await second.request("GET", collection, token: secret).0 == 403)

        let (_, list) = try await second.request("GET", collection, token: token)
        #expect((list["result_info"] as? [String: Any])?["total_count"] as? Int == 6)

        // The engine on the second node follows writes made through the first within a second.
        let probe: [String: Any] = ["envelope_from": "engine@example.com", "recipients": ["x@corp.example"]]
        func trusted() async throws -> Bool {
            let (_, reply) = try await second.request("POST", collection + "/evaluate", token: token, json: probe)
            return ((reply["result"] as? [String: Any])?["effects"] as? [String: Any])?["trusted_sender"] as? Bool ?? false
        }
        #expect(try await trusted() == false)
        let (_, engineCreated) = try await first.request("POST", collection, token: token, json: body("engine@example.com"))
        let engineID = (engineCreated["result"] as? [String: Any])?["id"] as? String ?? ""
        let clock = ContinuousClock()
        for expected in [true, false] {
            if !expected { #expect(try await first.request("DELETE", collection + "/\(engineID)", token: token).0 == 200) }
            let start = clock.now
            while try await trusted() != expected, clock.now - start < .seconds(5) { try await Task.sleep(for: .milliseconds(20)) }
            let delay = clock.now - start
            #expect(delay < .seconds(1), "\(expected ? "create" : "delete") seen by the other node after \(delay)")
        }
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)
        #expect(try await second.waitForExit() == 0)
    }

    /// Wrong credentials: the server keeps running, says why it waits, and serves nothing yet.
    @Test(.enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.notice)), .timeLimit(.minutes(1)))
    func wrongPasswordIsReportedClearly() async throws {
        let database = try #require(PostgresTestDatabase.url).replacingOccurrences(of: "safelist:safelist@", with: "safelist:wrong@")
        let server = try ServerProcess(database: database)
        try server.launch()
        try await server.waitForOutput("password authentication failed")
        #expect(server.isRunning && !server.stdout.contains("listening"))
        #expect(!server.stdout.contains("wrong"), "the password never appears in output")
        let cli = try await run(["token", "list"], database: database, expectFailure: true)
        #expect(cli.contains("password authentication failed"))
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0, "SIGTERM ends a server still waiting for its database")
    }

    /// The database is down when the server starts, then crashes under it. The server says why
    /// it waits, answers 503 envelopes (never hangs or crashes) while the database is gone, and
    /// recovers without a restart; every acknowledged write survives the crash.
    @Test(
        .enabled(if: PostgresTestDatabase.isConfigured && PrivateCluster.isAvailable, Comment(rawValue: PrivateCluster.notice)),
        .timeLimit(.minutes(3)))
    func outageAnswers503AndRecovers() async throws {
        let cluster = try PrivateCluster()
        try cluster.start()
        try cluster.stop("fast")
        let server = try ServerProcess(database: cluster.url, extraArguments: ["--database-timeout", "2"])
        try server.launch()
        try await server.waitForOutput("Waiting for PostgreSQL")
        #expect(server.stdout.contains("refused"), "\(server.stdout)")
        try cluster.start()
        try await server.start(within: 60)
        let token = try #require(server.bootstrapToken)

        var acknowledged: [String] = []
        for index in 0..<20 {
            let (status, json) = try await server.request("POST", collection, token: token, json: body("kept\(index)@example.com"))
            #expect(status == 201)
            acknowledged.append((json["result"] as? [String: Any])?["id"] as? String ?? "")
        }

        try cluster.stop("immediate")
        let started = Date()
        for method in ["GET", "POST"] {
            let reply = try await server.send(method, collection, token: token, json: method == "POST" ? body("lost@example.com") : nil)
            #expect(reply.status == 503, "\(method): \(String(decoding: reply.data, as: UTF8.self))")
            #expect(reply.json["success"] as? Bool == false)
            let error = (reply.json["errors"] as? [[String: Any]])?.first
            #expect(error?["code"] as? Int == 25060)
            let message = (error?["message"] as? String) ?? ""
            #expect(message.contains("PostgreSQL"))
        }
        #expect(Date().timeIntervalSince(started) < 15, "answers come within the database timeout, not after a hang")
        #expect(server.isRunning)

        try cluster.start()
        let deadline = Date().addingTimeInterval(60)
        var recovered = false
        while Date() < deadline {
            if try await server.send("GET", collection, token: token).status == 200 { recovered = true; break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(recovered, "the server serves again once PostgreSQL is back")
        for id in acknowledged {
            #expect(try await server.request("GET", collection + "/\(id)", token: token).0 == 200)
        }
        let (_, list) = try await server.request("GET", collection, token: token)
        #expect((list["result_info"] as? [String: Any])?["total_count"] as? Int == 20)
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
        try? cluster.stop("fast")
    }

    @discardableResult
    func run(_ arguments: [String], database: String, expectFailure: Bool = false) async throws -> String {
        let (status, output) = try await runCommand(arguments, database: database)
        if (status == 0) == expectFailure {
            throw ServerError("safelist \(arguments.joined(separator: " ")) exited \(status): \(output)")
        }
        return output
    }
}
