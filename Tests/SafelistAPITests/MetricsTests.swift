import Foundation
import SafelistAPI
import SafelistCore
import SafelistTesting
import Testing

/// Issue 17: `/metrics` in Prometheus's text format, and who may read it.
@Suite("Metrics", .serialized)
struct MetricsTests {
    static let collection = "/client/v4/accounts/{account_id}/email-security/settings/allow_policies"

    @Test func requestsEvaluationsBuildsAndRefusalsAreCounted() async throws {
        let server = try await TestServer(metrics: .open)
        try await server.test { api in
            let before = try await api.send(.get, "/metrics", auth: APIClient.Auth.none).text
            let listed =
                "http_server_request_duration_count{http_route=\"\(Self.collection)\",http_request_method=\"GET\",http_response_status_code=\"200\"}"
            let refused = "safelist_http_refusals_total{code=\"25010\"}"
            _ = try await api.send(.post, policiesPath(accountA), json: policyBody("a@b.example", "EMAIL", ["is_trusted_sender": true]))
            #expect(try await api.send(.get, policiesPath(accountA)).status == 200)
            #expect(try await api.send(.post, policiesPath(accountA), json: ["comments": "no pattern"]).status == 400)
            let evaluate: [String: Any] = ["envelope_from": "a@b.example", "recipients": ["c@d.example"]]
            let evaluated = try await api.send(.post, policiesPath(accountA, "/evaluate"), json: ["messages": [evaluate, evaluate]])
            #expect(evaluated.status == 200)

            let reply = try await api.send(.get, "/metrics", auth: APIClient.Auth.none)
            #expect(reply.status == 200 && reply.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let after = reply.text
            #expect(TestMetrics.value(listed, in: after) >= TestMetrics.value(listed, in: before) + 1, "\(after)")
            #expect(TestMetrics.value(refused, in: after) >= TestMetrics.value(refused, in: before) + 1)
            let evaluations = "safelist_engine_evaluations_total", matches = "safelist_engine_matches_total"
            #expect(TestMetrics.value(evaluations, in: after) >= TestMetrics.value(evaluations, in: before) + 2)
            #expect(TestMetrics.value(matches, in: after) >= TestMetrics.value(matches, in: before) + 2)
            #expect(after.contains("safelist_engine_build_seconds_count{layer=\"load\"}"))
            #expect(after.contains("# TYPE http_server_request_duration histogram"))
        }
    }

    @Test func whoMayReadIt() async throws {
        // A token, as for the API.
        let tokened = try await TestServer(metrics: .token)
        try await tokened.test { (api: APIClient) async throws in
            #expect(try await api.send(.get, "/metrics", auth: APIClient.Auth.none).errorCodes == [9106])
            #expect(try await api.send(.get, "/metrics").status == 200)
        }
        // Loopback only: the router's test client has no peer address, so it is refused, as a
        // client on another host would be.
        let loopback = try await TestServer(metrics: .loopback)
        try await loopback.test { (api: APIClient) async throws in
            let refused = try await api.send(.get, "/metrics", auth: APIClient.Auth.none)
            #expect(refused.status == 403 && refused.errorCodes == [9109])
        }
        // Off: credentials are required as for any other path, and there is no route.
        let off = try await TestServer()
        try await off.test { (api: APIClient) async throws in
            #expect(try await api.send(.get, "/metrics", auth: APIClient.Auth.none).errorCodes == [9106])
            let missing = try await api.send(.get, "/metrics")
            #expect(missing.status == 400 && missing.errorCodes == [7003, 7000], "\(missing.text)")
        }
    }
}
