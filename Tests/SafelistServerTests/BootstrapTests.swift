import Foundation
import SafelistTesting
import Testing

/// The first ten minutes (issue 17): the first token's secret kept off standard output when
/// asked, a known one for CI, and a port already taken said plainly before anything is minted.
@Suite("Bootstrap token and start-up", .serialized)
struct BootstrapTests {
    @Test(.timeLimit(.minutes(1)))
    func theFirstSecretGoesToAFileOnlyItsOwnerReads() async throws {
        let directory = try temporaryDirectory("safelist-bootstrap")
        let file = directory.appendingPathComponent("token").path
        let server = try ServerProcess(
            database: directory.appendingPathComponent("db.sqlite").path, extraArguments: ["--bootstrap-token-file", file])
        try await server.start()
        let secret = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.count == 40)
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!server.stdout.contains(secret) && server.stdout.contains("its secret is in \(file) (mode 0600)"))
        let verified = try await server.send("GET", "/user/tokens/verify", token: secret)
        #expect(verified.status == 200 && (verified.json["result"] as? [String: Any])?["status"] as? String == "active")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aKnownSecretForCIIsUsedOnceAndNeverPrinted() async throws {
        let directory = try temporaryDirectory("safelist-known")
        let database = directory.appendingPathComponent("db.sqlite").path
        let secret = "ci-known-token-0123456789"
        let server = try ServerProcess(database: database, extraArguments: ["--bootstrap-token", secret])
        try await server.start()
        #expect(!server.stdout.contains(secret) && server.stdout.contains("given by --bootstrap-token"))
        #expect(try await server.send("GET", "/user/tokens/verify", token: secret).status == 200)
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        // Credentials exist now: a second start creates none, and says so.
        let again = try ServerProcess(database: database, extraArguments: ["--bootstrap-token", "another-known-token-0123"])
        try await again.start()
        #expect(again.stdout.contains("Credentials exist already"))
        #expect(try await again.send("GET", "/user/tokens/verify", token: "another-known-token-0123").status == 403)
        again.signal(SIGTERM)
        #expect(try await again.waitForExit() == 0)

        let short = try await runCommand(["serve", "--port", "0", "--database", database, "--bootstrap-token", "short"])
        #expect(short.status != 0 && short.output.contains("--bootstrap-token must be 20 to 256 characters"))
    }

    @Test(.timeLimit(.minutes(1)))
    func aTakenPortIsSaidPlainlyBeforeAnythingIsMinted() async throws {
        let directory = try temporaryDirectory("safelist-port")
        let first = try ServerProcess(database: directory.appendingPathComponent("a.sqlite").path)
        try await first.start()
        let database = directory.appendingPathComponent("b.sqlite").path
        let taken = try await runCommand(["serve", "--port", "\(first.port)", "--database", database])
        #expect(taken.status != 0 && taken.output.contains("port \(first.port) on 127.0.0.1 is already in use"), "\(taken.output)")
        #expect(!taken.output.contains("keeps only its hash"))
        let tokens = try await runCommand(["token", "list"], database: database)
        #expect(tokens.status == 0 && !tokens.output.contains("bootstrap"), "\(tokens.output)")
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)
    }
}
