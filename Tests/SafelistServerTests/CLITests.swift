import Foundation
import SafelistTesting
import Testing

@Suite("The credential commands against a running server", .serialized)
struct CLITests {
    func field(_ name: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    @Test(.timeLimit(.minutes(1)))
    func tokensAndUsersFromMintToRevocation() async throws {
        let directory = try temporaryDirectory("safelist-cli")
        let database = directory.appendingPathComponent("cli.sqlite").path
        let account = String(repeating: "d", count: 32)
        let path = "/accounts/\(account)/email-security/settings/allow_policies"

        let mint = [
            "token", "create", "--name", "ci", "--permission", "write", "--account", account,
            "--expires-in", "1h",
        ]
        // No database yet: the command says so rather than minting into a new, empty one. An
        // import says so before it reads its file (here one that does not exist).
        let missingFile = directory.appendingPathComponent("absent.jsonl").path
        for arguments in [mint, ["token", "list"], ["user", "list"], ["policy", "import", missingFile, "--account", account]] {
            let refused = try await runCommand(arguments, database: database)
            #expect(refused.status != 0 && refused.output.contains("no Safelist database at "), "\(refused.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: database))

        // The first start creates it, with a bootstrap token.
        let first = try ServerProcess(database: database)
        try await first.start()
        #expect(first.bootstrapToken != nil)
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)

        let created = try await runCommand(mint, database: database)
        #expect(created.status == 0, "\(created.output)")
        let secret = try #require(field("secret", in: created.output))
        let id = try #require(field("id", in: created.output))
        #expect(field("accounts", in: created.output) == account)

        // Credentials exist, so the server mints no second bootstrap token.
        let server = try ServerProcess(database: database)
        try await server.start()
        #expect(server.bootstrapToken == nil)
        #expect(try await server.request("GET", path, token: secret).0 == 200)

        let listed = try await runCommand(["token", "list"], database: database)
        #expect(listed.output.contains(id) && listed.output.contains("active") && !listed.output.contains(secret))

        #expect(try await runCommand(["token", "revoke", id], database: database).status == 0)
        let (status, json) = try await server.request("GET", path, token: secret)
        #expect(
            status == 403 && (json["errors"] as? [[String: Any]])?.first?["code"] as? Int == 10000,
            "revocation takes effect on the running server at once")
        #expect(try await runCommand(["token", "list"], database: database).output.contains("revoked"))
        #expect(try await runCommand(["token", "revoke", "no-such-id"], database: database).status != 0)

        let user = try await runCommand(["user", "create", "--email", "Ops@Example.com", "--all-accounts"], database: database)
        #expect(user.status == 0)
        let key = try #require(field("key", in: user.output))
        #expect(key.count == 37)
        #expect(try await runCommand(["user", "list"], database: database).output.contains("ops@example.com"))
        #expect(try await runCommand(["user", "create", "--email", "ops@example.com", "--all-accounts"], database: database).status != 0)
        #expect(try await runCommand(["user", "delete", "--email", "ops@example.com"], database: database).status == 0)
        #expect(try await runCommand(["token", "create", "--permission", "admin", "--all-accounts"], database: database).status != 0)
        #expect(try await runCommand(["token", "create", "--permission", "read", "--account", "nope"], database: database).status != 0)
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }
}
