import Foundation
import SafelistTesting
import Testing

/// `safelist serve`'s mail listener flags: clear refusals, and both listeners up with the server
/// (announced, answering, stopped by SIGTERM).
@Suite("The mail listeners in serve")
struct MailListenerFlagsTests {
    @Test(
        arguments: [
            (["--milter", "127.0.0.1:0"], "--mail-account is required"),
            (["--postfix-policy", "127.0.0.1:0", "--mail-account", "nope"], "--mail-account must be an account id"),
            (["--milter", "localhost", "--mail-account", String(repeating: "a", count: 32)], "--milter must be HOST:PORT"),
            (["--postfix-policy", "127.0.0.1:99999", "--mail-account", String(repeating: "a", count: 32)], "--postfix-policy must be HOST:PORT"),
            (["--milter", "127.0.0.1:0", "--mail-account", String(repeating: "a", count: 32), "--mail-decision-timeout", "0"], "positive"),
        ])
    func badFlagsAreRefusedClearly(arguments: [String], message: String) async throws {
        let database = try temporaryDirectory("safelist-mail-flags").appendingPathComponent("db.sqlite").path
        let result = try await runCommand(["serve", "--port", "0"] + arguments, database: database)
        #expect(result.status != 0)
        #expect(result.output.contains(message), "\(result.output)")
    }

    @Test(.timeLimit(.minutes(1)))
    func bothListenersStartAnswerAndStopWithTheServer() async throws {
        let database = try temporaryDirectory("safelist-mail-serve").appendingPathComponent("db.sqlite").path
        let server = try ServerProcess(
            database: database,
            extraArguments: ["--mail-account", String(repeating: "a", count: 32), "--postfix-policy", "127.0.0.1:0", "--milter", "127.0.0.1:0"])
        try await server.start()
        try await server.waitForOutput("Milter listening on 127.0.0.1:")
        try await server.waitForOutput("Postfix policy service listening on 127.0.0.1:")
        let policyPort = try #require(server.stdout.firstMatch(of: #/Postfix policy service listening on 127\.0\.0\.1:(\d+)/#).flatMap { Int($0.1) })
        let connection = try RawConnection(port: policyPort)
        try connection.write(Data("request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=a@b.example\nclient_address=192.0.2.1\n\n".utf8))
        #expect(connection.read(through: "\n\n") == "action=DUNNO\n\n")
        // Counted in /metrics, which a loopback client reads without credentials by default.
        let metrics = try await server.metrics()
        #expect(metrics.contains("safelist_mail_decisions_total{outcome=\"no_match\"} 1"), "\(metrics)")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }
}
