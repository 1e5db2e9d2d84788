import Foundation
import SafelistTesting
import Testing

/// `safelist evaluate` reads the database the server writes: the same answer as the API, as
/// text or JSON, and the API's validation for its flags.
@Suite("The evaluate command", .serialized)
struct EvaluateCommandTests {
    @Test(.timeLimit(.minutes(1)))
    func explainsAMessageFromTheDatabase() async throws {
        let directory = try temporaryDirectory("safelist-eval")
        let database = directory.appendingPathComponent("eval.sqlite").path
        let account = String(repeating: "e", count: 32)
        let path = "/accounts/\(account)/email-security/settings/allow_policies"
        let server = try ServerProcess(database: database)
        try await server.start()
        let token = try #require(server.bootstrapToken)
        let body: [String: Any] = [
            "pattern": "example.com", "pattern_type": "DOMAIN", "is_regex": false,
            "is_trusted_sender": true, "is_exempt_recipient": false,
            "is_acceptable_sender": false, "verify_sender": true,
        ]
        #expect(try await server.request("POST", path, token: token, json: body).0 == 201)
        let exempt: [String: Any] = [
            "pattern": "ceo@corp\\.example", "pattern_type": "EMAIL", "is_regex": true,
            "is_trusted_sender": false, "is_exempt_recipient": true,
            "is_acceptable_sender": false, "verify_sender": false,
        ]
        #expect(try await server.request("POST", path, token: token, json: exempt).0 == 201)

        let message = [
            "evaluate", "--account", account, "--from", "bob@mail.example.com", "--to", "ceo@corp.example",
            "--to", "x@other.example", "--ip", "203.0.113.7", "--disposition", "spam",
        ]
        let unverified = try await runCommand(message, database: database)
        #expect(unverified.status == 0, "\(unverified.output)")
        #expect(unverified.output.contains("DOMAIN example.com"))
        #expect(unverified.output.contains("matched envelope_from = mail.example.com; NOT honored"))
        #expect(unverified.output.contains("exempt recipients: ceo@corp.example"))
        #expect(unverified.output.contains("disposition:       SPAM -> SPAM"))

        let verified = try await runCommand(message + ["--spf", "pass", "--json"], database: database)
        #expect(verified.status == 0, "\(verified.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(verified.output.utf8)) as? [String: Any])
        let effects = try #require(json["effects"] as? [String: Any])
        #expect(effects["trusted_sender"] as? Bool == true && effects["disposition"] as? String == "NONE")
        // The same body through the API gives the same result.
        let api = try await server.request(
            "POST", path + "/evaluate", token: token,
            json: [
                "envelope_from": "bob@mail.example.com", "recipients": ["ceo@corp.example", "x@other.example"],
                "client_ip": "203.0.113.7", "disposition": "SPAM", "auth": ["spf": "pass"],
            ])
        #expect(NSDictionary(dictionary: api.1["result"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: json))

        let bad = try await runCommand(
            ["evaluate", "--account", account, "--from", "nobody", "--to", "x@y.example", "--ip", "1.2.3.4/8"],
            database: database)
        #expect(bad.status != 0)
        #expect(bad.output.contains("--from") && bad.output.contains("--ip"), "\(bad.output)")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }
}
