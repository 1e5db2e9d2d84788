import Foundation
import SafelistTesting
import Testing

/// The access log as an operator reads it: one JSON object a request with `--log-format json`,
/// carrying the request id the client got back, the principal (never the secret), the client's
/// address, and the error code of a refusal.
@Suite("The request log", .serialized)
struct RequestLogTests {
    @Test(.timeLimit(.minutes(1)))
    func requestLinesCarryWhoWhereAndWhy() async throws {
        let directory = try temporaryDirectory("safelist-log")
        let database = directory.appendingPathComponent("log.sqlite").path
        let server = try ServerProcess(database: database, extraArguments: ["--log-level", "info", "--log-format", "json"])
        try await server.start()
        let token = try #require(server.bootstrapToken)
        let path = "/accounts/\(String(repeating: "e", count: 32))/email-security/settings/allow_policies"
        let listed = try await server.send("GET", path, token: token)
        let refused = try await server.send("POST", path, token: token, json: ["pattern": 7])
        #expect(listed.status == 200 && refused.status == 400)
        let ids = try [listed, refused].map { try #require($0.requestID) }
        #expect(Set(ids).count == 2)

        func line(for id: String) async throws -> [String: Any] {
            for _ in 0..<200 {
                for text in server.stdout.split(separator: "\n") where text.contains(id) {
                    if let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                        object["message"] as? String == "request"
                    {
                        return object
                    }
                }
                try await Task.sleep(for: .milliseconds(25))
            }
            throw ServerError("no request line for \(id) in: \(server.stdout)")
        }
        let ok = try await line(for: ids[0])
        #expect(ok["hb.request.id"] as? String == ids[0] && ok["status"] as? String == "200" && ok["method"] as? String == "GET")
        #expect(ok["client"] as? String == "127.0.0.1" && (ok["principal"] as? String)?.hasPrefix("token:") == true)
        #expect(ok["error_code"] == nil)
        let bad = try await line(for: ids[1])
        let code = try #require((refused.json["errors"] as? [[String: Any]])?.first?["code"] as? Int)
        #expect(bad["status"] as? String == "400" && bad["error_code"] as? String == "\(code)")
        // (The first start's banner prints the bootstrap secret once; no log line carries it.)
        #expect(!server.stdout.split(separator: "\n").contains { $0.hasPrefix("{") && $0.contains(token) }, "the secret never reaches the log")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }
}
