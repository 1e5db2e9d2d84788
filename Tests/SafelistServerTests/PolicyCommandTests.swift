import Foundation
import SafelistTesting
import Testing

@Suite("safelist policy: the policies from the command line, beside a running server", .serialized)
struct PolicyCommandTests {
    let account = String(repeating: "c", count: 32)
    var path: String { "/accounts/\(account)/email-security/settings/allow_policies" }

    func created(_ output: String) -> String? {
        output.firstMatch(of: #/created ([0-9a-f-]{36})/#).map { String($0.1) }
    }

    @Test(.timeLimit(.minutes(2)))
    func addListEditExportImportRemoveReset() async throws {
        let directory = try temporaryDirectory("safelist-policy-cli")
        let database = directory.appendingPathComponent("policies.sqlite").path
        let server = try ServerProcess(database: database)
        try await server.start()
        let token = try #require(server.bootstrapToken)
        let scope = ["--account", account]

        let add = try await runCommand(
            ["policy", "add", "ceo@example.com", "--trusted-sender", "true", "--verify-sender", "true", "--comments", "the CEO"] + scope,
            database: database)
        let id = try #require(created(add.output), "\(add.output)")
        let domain = try await runCommand(["policy", "add", "partner.example", "--acceptable-sender", "true"] + scope, database: database)
        #expect(domain.status == 0, "\(domain.output)")
        let bad = try await runCommand(["policy", "add", "not an address", "--type", "email"] + scope, database: database)
        #expect(bad.status != 0 && bad.output.contains("pattern: ") && !bad.output.contains("Usage"), "\(bad.output)")

        // The running server sees the command's writes.
        let (status, fetched) = try await server.request("GET", path + "/\(id)", token: token)
        #expect(status == 200 && (fetched["result"] as? [String: Any])?["comments"] as? String == "the CEO")

        let listed = try await runCommand(["policy", "list"] + scope, database: database)
        #expect(listed.output.contains("ceo@example.com") && listed.output.contains("partner.example") && listed.output.contains("DOMAIN"))
        #expect(listed.output.contains("2 of 2 policies"))

        let edited = try await runCommand(["policy", "edit", id, "--comments", "", "--exempt-recipient", "true"] + scope, database: database)
        #expect(edited.status == 0, "\(edited.output)")
        let shown = try await runCommand(["policy", "get", id, "--json"] + scope, database: database)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any], "\(shown.output)")
        #expect(object["comments"] is NSNull && object["is_exempt_recipient"] as? Bool == true)

        let file = directory.appendingPathComponent("export.jsonl").path
        let exported = try await runCommand(["policy", "export", "-o", file] + scope, database: database)
        #expect(exported.output.contains("exported 2 policies"), "\(exported.output)")
        let before = try String(contentsOfFile: file, encoding: .utf8)

        #expect(try await runCommand(["policy", "rm", id] + scope, database: database).status == 0)
        let again = try await runCommand(["policy", "import", file] + scope, database: database)
        #expect(again.status != 0 && again.output.contains("line 2") && again.output.contains("nothing was imported"), "\(again.output)")
        let restored = try await runCommand(["policy", "import", file, "--keep-ids", "--skip-invalid"] + scope, database: database)
        #expect(restored.output.contains("imported 1 policies") && restored.output.contains("skipped 1 rows"), "\(restored.output)")
        _ = try await runCommand(["policy", "export", "-o", file] + scope, database: database)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == before, "export → rm → import --keep-ids → export is the same file")

        let upserted = try await runCommand(["policy", "import", file, "--upsert"] + scope, database: database)
        #expect(upserted.output.contains("imported 0 policies") && upserted.output.contains("replaced 2"), "\(upserted.output)")
        #expect(try await runCommand(["policy", "import", file, "--upsert", "--keep-ids"] + scope, database: database).status != 0)

        let upload = directory.appendingPathComponent("upload.csv").path
        try Data("Pattern,Notes,Verify Email,Trusted Sender,Exempt Recipient,Acceptable Sender\n198.51.100.0/24,lab,false,true,false,false\n".utf8)
            .write(to: URL(fileURLWithPath: upload))
        let dry = try await runCommand(["policy", "import", upload, "--dry-run"] + scope, database: database)
        #expect(dry.status == 0 && dry.output.contains("1 good, 0 with problems"), "\(dry.output)")

        let trail = try await runCommand(["audit", "--account", account], database: database)
        #expect(trail.output.contains("cli:") && trail.output.contains("import") && trail.output.contains("delete"), "\(trail.output)")

        #expect(try await runCommand(["policy", "reset"] + scope, database: database).status != 0, "reset asks for --yes")
        let reset = try await runCommand(["policy", "reset", "--yes"] + scope, database: database)
        #expect(reset.output.contains("deleted 2 policies"), "\(reset.output)")
        let (_, empty) = try await server.request("GET", path, token: token)
        #expect((empty["result"] as? [Any])?.isEmpty == true)
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }

    /// `--url`: the same commands through a running server's API, with a token, never opening
    /// the database; what they print is what the database mode prints.
    @Test(.timeLimit(.minutes(3)))
    func throughARunningServersAPI() async throws {
        let directory = try temporaryDirectory("safelist-policy-remote")
        let database = directory.appendingPathComponent("policies.sqlite").path
        let server = try ServerProcess(database: database)
        try await server.start()
        let token = try #require(server.bootstrapToken)
        let absent = directory.appendingPathComponent("absent.sqlite").path
        let remote = ["--account", account, "--url", "http://127.0.0.1:\(server.port)/", "--token", token]
        func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            try await runCommand(arguments + remote, database: absent)
        }

        let add = try await run(["policy", "add", "ceo+board@example.com", "--trusted-sender", "true", "--comments", "the CEO"])
        let id = try #require(created(add.output), "\(add.output)")
        let (status, fetched) = try await server.request("GET", path + "/\(id)", token: token)
        #expect(status == 200 && (fetched["result"] as? [String: Any])?["comments"] as? String == "the CEO")
        let twice = try await run(["policy", "add", "CEO+board@example.com"])
        #expect(twice.status != 0 && twice.output.contains("already exists") && !twice.output.contains("Usage"), "\(twice.output)")

        let searched = try await run(["policy", "list", "--search", "+board"])
        #expect(searched.output.contains("ceo+board@example.com") && searched.output.contains("1 of 1 policies"), "\(searched.output)")
        let edited = try await run(["policy", "edit", id, "--comments", "", "--exempt-recipient", "true"])
        #expect(edited.status == 0, "\(edited.output)")
        let shown = try await run(["policy", "get", id, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any], "\(shown.output)")
        #expect(object["comments"] is NSNull && object["is_exempt_recipient"] as? Bool == true)

        // More rows than one batch holds.
        let file = directory.appendingPathComponent("many.jsonl").path
        let rows = (0..<1_500).map {
            #"{"pattern":"host\#($0).example","pattern_type":"DOMAIN","is_regex":false,"is_trusted_sender":true,"is_exempt_recipient":false,"is_acceptable_sender":false,"verify_sender":false}"#
        }
        try Data(
            (rows + [
                #"{"pattern":"ceo+BOARD@example.com","pattern_type":"EMAIL","is_regex":false,"is_trusted_sender":false,"is_exempt_recipient":false,"is_acceptable_sender":true,"verify_sender":false}"#
            ]).joined(separator: "\n").utf8
        )
        .write(to: URL(fileURLWithPath: file))
        let refused = try await run(["policy", "import", file])
        #expect(refused.status != 0 && refused.output.contains("line 1501") && refused.output.contains(id), "\(refused.output)")
        let imported = try await run(["policy", "import", file, "--skip-invalid"])
        #expect(imported.output.contains("imported 1500 policies"), "\(imported.output)")
        #expect(try await run(["policy", "import", file, "--keep-ids"]).status != 0)

        let exported = directory.appendingPathComponent("remote.jsonl").path, local = directory.appendingPathComponent("local.jsonl").path
        #expect(try await run(["policy", "export", "-o", exported]).output.contains("exported 1501 policies"))
        _ = try await runCommand(["policy", "export", "-o", local, "--account", account], database: database)
        #expect(try String(contentsOfFile: exported, encoding: .utf8) == String(contentsOfFile: local, encoding: .utf8))

        #expect(try await run(["policy", "rm", id]).status == 0)
        let gone = try await run(["policy", "get", id])
        #expect(gone.status != 0 && gone.output.contains("no policy \(id)"), "\(gone.output)")
        let forged = try await runCommand(["policy", "list", "--account", account, "--url", "http://127.0.0.1:\(server.port)", "--token", "wrong"])
        #expect(forged.status != 0 && !forged.output.contains("Usage"), "\(forged.output)")
        let nowhere = try await runCommand(["policy", "list", "--account", account, "--url", "ftp://x", "--token", token])
        #expect(nowhere.status != 0 && nowhere.output.contains("--url must be"), "\(nowhere.output)")
        #expect(!FileManager.default.fileExists(atPath: absent), "remote commands never open a database")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }

    /// What a test suite needs: a throwaway database, seed data, a known token, a start line a
    /// harness can read, and a reset between tests.
    @Test(.timeLimit(.minutes(2)))
    func testMode() async throws {
        let directory = try temporaryDirectory("safelist-test-mode")
        let seed = directory.appendingPathComponent("seed.csv").path
        try Data(
            """
            Pattern,Notes,Verify Email,Trusted Sender,Exempt Recipient,Acceptable Sender
            ceo@example.com,seeded,false,true,false,false
            partner.example,,false,false,false,true

            """.utf8
        ).write(to: URL(fileURLWithPath: seed))
        let token = "known-test-token-0123456789"
        let server = try ServerProcess(
            database: "(ephemeral)",
            arguments: [
                "serve", "--ephemeral", "--port", "0", "--seed", "\(account)=\(seed)", "--start-line", "json", "--bootstrap-token", token,
                "--allow-reset", "--log-level", "warning",
            ])
        let line = try await server.startReadingJSON()
        #expect((line["url"] as? String) == "http://127.0.0.1:\(server.port)/client/v4")
        #expect((line["token_id"] as? String)?.count == 32)
        let database = try #require(line["database"] as? String)
        #expect(FileManager.default.fileExists(atPath: database))

        let (status, list) = try await server.request("GET", path, token: token)
        #expect(status == 200 && (list["result"] as? [[String: Any]])?.map { $0["pattern"] as? String } == ["ceo@example.com", "partner.example"])

        let reset = try await server.send("POST", "/safelist/reset?account_id=\(account)", token: token)
        #expect(reset.status == 200 && (reset.json["result"] as? [String: Any])?["deleted"] as? Int == 2, "\(reset.json)")
        let (_, after) = try await server.request("GET", path, token: token)
        #expect((after["result"] as? [Any])?.isEmpty == true)

        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: database), "the ephemeral database is removed at exit")

        let both = try await runCommand(["serve", "--ephemeral", "--database", "x.sqlite"])
        #expect(both.status != 0 && both.output.contains("--ephemeral makes its own database"), "\(both.output)")
        let badSeed = directory.appendingPathComponent("bad.jsonl").path
        try Data(#"{"pattern":"nope","pattern_type":"EMAIL"}"#.utf8).write(to: URL(fileURLWithPath: badSeed))
        let refused = try await runCommand(["serve", "--ephemeral", "--port", "0", "--seed", "\(account)=\(badSeed)"])
        #expect(refused.status != 0 && refused.output.contains("line 1") && refused.output.contains("nothing was loaded"), "\(refused.output)")
    }
}
