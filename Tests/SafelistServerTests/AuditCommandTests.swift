import Foundation
import SafelistTesting
import Testing

@Suite("safelist audit and the audit retention, on a real process", .serialized)
struct AuditCommandTests {
    let account = String(repeating: "e", count: 32)
    var path: String { "/accounts/\(account)/email-security/settings/allow_policies" }

    func body(_ pattern: String) -> [String: Any] {
        [
            "pattern": pattern, "pattern_type": "EMAIL", "is_regex": false, "is_trusted_sender": true, "is_exempt_recipient": false,
            "is_acceptable_sender": false, "verify_sender": false,
        ]
    }

    @Test(.timeLimit(.minutes(2)))
    func theCommandReadsTheTrailAndRetentionPrunesIt() async throws {
        let directory = try temporaryDirectory("safelist-audit")
        let database = directory.appendingPathComponent("audit.sqlite").path
        let server = try ServerProcess(database: database)
        try await server.start()
        let token = try #require(server.bootstrapToken)
        let first = try await server.send("POST", path, token: token, json: body("first@example.com"))
        let firstID = try #require((first.json["result"] as? [String: Any])?["id"] as? String)
        _ = try await server.send("PATCH", path + "/\(firstID)", token: token, json: ["comments": "noted"])
        _ = try await server.send("POST", path, token: token, json: body("second@example.com"))

        let table = try await runCommand(["audit", "--account", account], database: database)
        #expect(table.status == 0, "\(table.output)")
        let lines = table.output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("AT") == true && lines.count == 5, "\(table.output)")
        #expect(lines[1].contains("second@example.com") && lines[1].contains("create") && lines[1].contains("127.0.0.1"))
        #expect(lines[2].contains("edit") && lines[3].contains("first@example.com"))
        #expect(table.output.contains("3 of 3 entries"))

        let json = try await runCommand(["audit", "--account", account, "--policy", firstID, "--json"], database: database)
        let objects = json.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.map { $0["action"] as? String } == ["edit", "create"], "\(json.output)")
        #expect((objects.first?["after"] as? [String: Any])?["comments"] as? String == "noted")
        #expect((objects.first?["actor"] as? String)?.hasPrefix("token:") == true)

        let bad = try await runCommand(["audit", "--account", account, "--since", "yesterday"], database: database)
        #expect(bad.status != 0 && bad.output.contains("since must be an RFC 3339 time"), "\(bad.output)")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        // Kept for 0.00002 days (1.7 s): the entries above are older by the time the server
        // starts again, and its first pass removes them.
        try await Task.sleep(for: .seconds(2))
        let pruning = try ServerProcess(database: database, extraArguments: ["--audit-retention-days", "0.00002"])
        try await pruning.start()
        var remaining = -1
        for _ in 0..<300 {
            let listed = try await runCommand(["audit", "--account", account, "--json"], database: database)
            remaining = listed.output.split(separator: "\n").count
            if remaining == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(remaining == 0)
        // The policies themselves stay.
        let (status, list) = try await pruning.request("GET", path, token: token)
        #expect(status == 200 && (list["result"] as? [Any])?.count == 2)
        pruning.signal(SIGTERM)
        #expect(try await pruning.waitForExit() == 0)
        let negative = try await runCommand(["serve", "--audit-retention-days=-1"], database: database)
        #expect(negative.status != 0 && negative.output.contains("--audit-retention-days must be 0"), "\(negative.output)")
    }
}
