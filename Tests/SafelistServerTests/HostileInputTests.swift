import Foundation
import SafelistTesting
import Testing

/// What an attacker can try with one request or one connection, against the real executable on
/// loopback. Each test runs an attack and asserts that the server refuses it plainly and that
/// another client is still answered while it runs. Bounds are generous: a stalled server is
/// tens of seconds late, a healthy one milliseconds.
@Suite("Hostile input: no single request stalls the server", .serialized)
struct HostileInputTests {
    let account = String(repeating: "a", count: 32)
    let otherAccount = String(repeating: "b", count: 32)

    /// A started server on a fresh SQLite database (or `database`), and its bootstrap token.
    func server(_ arguments: [String] = [], database: String? = nil) async throws -> (ServerProcess, String) {
        let location = try database ?? temporaryDirectory("safelist-hostile").appendingPathComponent("db.sqlite").path
        let server = try ServerProcess(database: location, extraArguments: arguments)
        try await server.start()
        try await server.waitForOutput("keeps only its hash")
        let token = try #require(server.bootstrapToken)
        return (server, token)
    }

    func policiesPath(_ account: String, _ rest: String = "") -> String {
        "/accounts/\(account)/email-security/settings/allow_policies\(rest)"
    }

    func regexBody(_ pattern: String) -> [String: Any] {
        [
            "pattern": pattern, "pattern_type": "EMAIL", "is_regex": true, "is_trusted_sender": true,
            "is_exempt_recipient": false, "is_acceptable_sender": false, "verify_sender": false,
        ]
    }

    /// Seconds a plain GET on another account takes to be answered.
    func otherRequestSeconds(_ server: ServerProcess, _ token: String) async throws -> Double {
        let start = Date()
        let (status, _) = try await server.request("GET", policiesPath(otherAccount), token: token)
        #expect(status == 200)
        return Date().timeIntervalSince(start)
    }

    /// Sends a request in raw bytes and reads the answer.
    func raw(_ server: ServerProcess, _ text: String, timeout: TimeInterval = 10) throws -> (status: Int, headers: [String: String], body: Data)? {
        let connection = try RawConnection(port: server.port)
        try connection.write(Data(text.utf8))
        return connection.readResponse(timeout: timeout)
    }

    func errorCodes(_ body: Data) -> [Int] {
        let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        return (json?["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? Int }
    }

    // MARK: Regex compilation

    @Test func aRegexBombIsRefusedAtOnce() async throws {
        let (server, token) = try await server()
        let start = Date()
        let reply = try await server.send("POST", policiesPath(account), token: token, json: regexBody("\\p{L}{1,500}"))
        // Refused before any compiler sees it: well inside the 30 s a request's regexes may take
        // to compile, with room for a suite that loads both cores.
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(reply.status == 400 && errorCodes(reply.data) == [25026], "\(String(decoding: reply.data, as: UTF8.self))")
        #expect(String(decoding: reply.data, as: UTF8.self).contains("too large"))
    }

    /// `.{1200}x` compiles in about half a second: over a budget of a tenth of one.
    @Test func aPatternOverItsCompileBudgetIsRefusedNamingTheLimit() async throws {
        let (server, token) = try await server(["--regex-pattern-timeout", "0.1"])
        async let refused = server.send("POST", policiesPath(account), token: token, json: regexBody(".{1200}x"))
        #expect(try await otherRequestSeconds(server, token) < 5)
        let reply = try await refused
        let text = String(decoding: reply.data, as: UTF8.self)
        #expect(reply.status == 400 && errorCodes(reply.data) == [25027], "\(text)")
        #expect(text.contains("0.1 s"))
    }

    @Test func aBatchOfCostlyRegexesIsCappedAndOthersAreAnswered() async throws {
        let (server, token) = try await server(["--regex-pattern-timeout", "5", "--regex-request-budget", "2"])
        let posts = (0..<40).map { regexBody(".{1200}x\($0)") }
        let start = Date()
        async let refused = server.send(
            "POST", policiesPath(account, "/batch"), token: token,
            json: ["deletes": [], "patches": [], "puts": [], "posts": posts])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await otherRequestSeconds(server, token) < 5)
        let reply = try await refused
        #expect(Date().timeIntervalSince(start) < 15, "the batch ran past its budget")
        #expect(reply.status == 400 && errorCodes(reply.data).contains(25027))
        #expect(String(decoding: reply.data, as: UTF8.self).contains("the budget of one request"))
    }

    /// With one compiler process, a batch still compiling would hold every later regex write
    /// for twenty seconds; once its client has gone, it stops.
    @Test func anAbandonedBatchStopsCompiling() async throws {
        let (server, token) = try await server(["--regex-workers", "1", "--regex-request-budget", "300", "--regex-pattern-timeout", "10"])
        let posts = (0..<40).map { regexBody(".{1200}y\($0)") }
        let body = try JSONSerialization.data(withJSONObject: ["deletes": [], "patches": [], "puts": [], "posts": posts])
        do {
            let connection = try RawConnection(port: server.port)
            try connection.write(
                Data(
                    """
                    POST /client/v4\(policiesPath(account, "/batch")) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\
                    Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n
                    """.utf8) + body)
            try await Task.sleep(for: .seconds(1.5))
        }
        let start = Date()
        let reply = try await server.send("POST", policiesPath(account), token: token, json: regexBody("cheap[0-9]+@x\\.example"))
        #expect(reply.status == 201)
        #expect(Date().timeIntervalSince(start) < 10, "the abandoned batch kept the compiler busy")
    }

    @Test func shutdownIsPromptWhileRegexesCompile() async throws {
        let (server, token) = try await server(["--regex-workers", "1", "--regex-request-budget", "300", "--regex-pattern-timeout", "10"])
        let posts = (0..<40).map { regexBody(".{1200}z\($0)") }
        let batch = Task {
            try? await server.send(
                "POST", policiesPath(account, "/batch"), token: token, json: ["deletes": [], "patches": [], "puts": [], "posts": posts])
        }
        try await Task.sleep(for: .seconds(1.5))
        let start = Date()
        server.signal(SIGTERM)
        #expect(try await server.waitForExit(timeout: 20) == 0)
        #expect(Date().timeIntervalSince(start) < 10, "shutdown waited for the compilations")
        _ = await batch.value
    }

    // MARK: JSON

    @Test func deeplyNestedJSONIsRefusedAtOnce() async throws {
        let (server, token) = try await server()
        let body = String(repeating: "[", count: 1_000_000)
        let start = Date()
        async let reply = Task {
            try raw(
                server,
                """
                POST /client/v4\(policiesPath(account, "/evaluate")) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\
                Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)
                """)
        }.value
        #expect(try await otherRequestSeconds(server, token) < 5)
        let answer = try #require(try await reply)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(answer.status == 400 && errorCodes(answer.body) == [25001])
        #expect(String(decoding: answer.body, as: UTF8.self).contains("nests deeper than"))
    }

    @Test(arguments: StoreKind.available)
    func duplicateKeysTrailingCommasAndNULAreRefused(kind: StoreKind) async throws {
        let database = kind == .postgres ? try await PostgresTestDatabase.create() : nil
        let (server, token) = try await server(database: database)
        func post(_ json: String) throws -> (status: Int, codes: [Int]) {
            let answer = try #require(
                try raw(
                    server,
                    """
                    POST /client/v4\(policiesPath(account)) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\
                    Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)
                    """))
            return (answer.status, errorCodes(answer.body))
        }
        let fields =
            #""pattern_type":"EMAIL","is_regex":false,"is_trusted_sender":true,"is_exempt_recipient":false,"is_acceptable_sender":false,"verify_sender":false"#
        #expect(try post(#"{"pattern":"a@b.example","pattern":"c@d.example",\#(fields)}"#) == (400, [25001]))
        #expect(try post(#"{"pattern":"a@b.example",\#(fields),}"#) == (400, [25001]))
        #expect(try post(#"{"pattern":"a@b.example","comments":"cut\u0000here",\#(fields)}"#) == (400, [25001]))
        let search = try #require(
            try raw(server, "GET /client/v4\(policiesPath(account))?search=%00 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n"))
        #expect(search.status == 400 && errorCodes(search.body) == [25030])
        #expect(try await server.request("GET", policiesPath(account), token: token).0 == 200)
    }

    // MARK: Connections

    @Test func idleConnectionsCannotLockOthersOut() async throws {
        let (server, token) = try await server(["--max-connections", "100"])
        var idle: [RawConnection] = []
        for _ in 0..<300 { idle.append(try RawConnection(port: server.port)) }
        #expect(try await otherRequestSeconds(server, token) < 5)
        // The oldest idle connections were closed to make room.
        #expect(idle[0].closesWithin(5))
    }

    @Test func idleConnectionsAreClosed() async throws {
        let (server, _) = try await server(["--idle-timeout", "1"])
        let connection = try RawConnection(port: server.port)
        #expect(connection.closesWithin(10))
    }

    @Test func aSlowlorisHeadIsCutOff() async throws {
        let (server, token) = try await server(["--header-timeout", "1"])
        let connection = try RawConnection(port: server.port)
        try connection.write(Data("GET /client/v4\(policiesPath(account)) HTTP/1.1\r\nHost: x\r\n".utf8))
        let trickle = Task {
            for number in 0..<50 {
                guard connection.trySend("X-Slow-\(number): 1\r\n") else { return }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        #expect(try await otherRequestSeconds(server, token) < 5)
        #expect(connection.closesWithin(10), "a head trickled for ten seconds was not cut off")
        trickle.cancel()
    }

    @Test func stalledBodiesAreCutOffAndTheirMemoryBounded() async throws {
        let (server, token) = try await server(["--body-timeout", "2", "--max-buffered-body-bytes", "1000000"])
        func stalled() throws -> RawConnection {
            let connection = try RawConnection(port: server.port)
            try connection.write(
                Data(
                    """
                    POST /client/v4\(policiesPath(account, "/batch")) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\
                    Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n
                    """.utf8) + Data(repeating: 0x20, count: 600_000))
            return connection
        }
        let first = try stalled()
        try await Task.sleep(for: .milliseconds(300))
        let second = try stalled()
        // The second body would take the buffered bytes past the budget: refused at once.
        let refused = try #require(second.readResponse(timeout: 5))
        #expect(refused.status == 503 && errorCodes(refused.body) == [25062])
        #expect(try await otherRequestSeconds(server, token) < 5)
        #expect(first.closesWithin(10), "a stalled body held its connection past the body deadline")
    }

    // MARK: Protocol errors

    @Test func protocolErrorsAreAnsweredInTheEnvelope() async throws {
        let (server, token) = try await server()
        let big = try #require(try raw(server, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 90_000))\r\n\r\n"))
        #expect(big.status == 431 && errorCodes(big.body) == [25005])
        let many = (0..<1100).map { "X-H\($0): 1\r\n" }.joined()
        let manyHeaders = try #require(try raw(server, "GET / HTTP/1.1\r\nHost: x\r\n\(many)\r\n"))
        #expect(manyHeaders.status == 431 && errorCodes(manyHeaders.body) == [25005])
        let nul = try #require(try raw(server, "GET /a\u{0}b HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(nul.status == 400 && errorCodes(nul.body) == [25004])
        let method = try #require(try raw(server, "G(T / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(method.status == 400 && errorCodes(method.body) == [25004])
        let chunked = try #require(
            try raw(
                server,
                """
                POST /client/v4\(policiesPath(account)) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\
                Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n
                """))
        #expect(chunked.status == 400 && errorCodes(chunked.body) == [25004], "\(String(decoding: chunked.body, as: UTF8.self))")
        #expect(try await otherRequestSeconds(server, token) < 5)
    }

    @Test func aParameterRepeatedTenThousandTimesGetsOneError() async throws {
        let (server, token) = try await server()
        let query = Array(repeating: "page=1", count: 10_000).joined(separator: "&")
        let answer = try #require(
            try raw(server, "GET /client/v4\(policiesPath(account))?\(query) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n"))
        #expect(answer.status == 400 && errorCodes(answer.body) == [25030])
        #expect(answer.body.count < 4096)
    }

    // MARK: Files

    @Test func databaseFilesAreReadableByTheirOwnerOnly() async throws {
        let directory = try temporaryDirectory("safelist-modes")
        let path = directory.appendingPathComponent("db.sqlite").path
        let (server, token) = try await server(database: path)
        #expect(try await server.request("POST", policiesPath(account), token: token, json: regexBody("mode[0-9]@x\\.example")).0 == 201)
        for suffix in ["", "-wal", "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + suffix)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(mode == 0o600, "\(path + suffix) has mode \(String(mode, radix: 8))")
        }
    }
}
