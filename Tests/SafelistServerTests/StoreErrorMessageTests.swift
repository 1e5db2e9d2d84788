import Foundation
import SafelistPostgres
import SafelistTesting
import Testing

/// An operator's first mistakes with `--database`: each refusal names the file or the server,
/// and says what to do.
@Suite("Database errors name the path or host and the fix")
struct StoreErrorMessageTests {
    @Test func sqliteMistakes() async throws {
        let directory = try temporaryDirectory("safelist-errors")
        let missing = directory.appendingPathComponent("no/such/dir/safelist.sqlite").path
        let serve = try await runCommand(["serve", "--port", "0"], database: missing)
        #expect(serve.status != 0)
        #expect(serve.output.contains(missing) && serve.output.contains("does not exist; create it (mkdir -p"), "\(serve.output)")

        let text = directory.appendingPathComponent("notes.txt").path
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: text))
        let listed = try await runCommand(["token", "list"], database: text)
        #expect(listed.status != 0)
        #expect(
            listed.output.contains("\(text) is not a SQLite database") && listed.output.contains("pass the path of Safelist's database"),
            "\(listed.output)")

        let folder = try await runCommand(["serve", "--port", "0"], database: directory.path)
        #expect(folder.status != 0 && folder.output.contains("\(directory.path) as the database: it is a directory"), "\(folder.output)")
        for output in [serve.output, listed.output, folder.output] {
            #expect(!output.contains("SafelistError(") && !output.contains("Usage:"), "no type dumps, no usage text: \(output)")
        }
    }

    @Test func postgresNobodyListening() async throws {
        let refused = try await runCommand(["token", "list"], database: "postgres://safelist:x@127.0.0.1:1/safelist?sslmode=disable")
        #expect(refused.status != 0)
        #expect(refused.output.contains("127.0.0.1:1") && refused.output.contains("check that PostgreSQL runs"), "\(refused.output)")
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.notice)))
    func postgresMistakes() async throws {
        let database = try PostgresLocation(url: try #require(PostgresTestDatabase.url))
        var wrongPassword = database
        wrongPassword.password = "not-the-password"
        let denied = try await runCommand(["token", "list"], database: url(wrongPassword))
        #expect(denied.status != 0 && denied.output.contains("check the user and password"), "\(denied.output)")
        #expect(!denied.output.contains("not-the-password"), "the password stays out of messages")

        var missing = database
        missing.database = "no_such_database"
        let absent = try await runCommand(["token", "list"], database: url(missing))
        #expect(absent.status != 0 && absent.output.contains("createdb -h \(database.host)"), "\(absent.output)")
    }

    private func url(_ location: PostgresLocation) -> String {
        let password = location.password.map { ":" + $0 } ?? ""
        return "postgres://\(location.username)\(password)@\(location.host):\(location.port)/\(location.database)?sslmode=\(location.tls.rawValue)"
    }
}
