import Foundation
import SafelistCore
import SafelistEngine
import SafelistTesting
import Testing

@testable import SafelistAPI

@Suite("/openapi.json: the served document and the router agree")
struct OpenAPITests {
    /// Every operation the router serves is documented, and every documented one is served.
    /// (scripts/test-openapi then holds each answer to the document with schemathesis.)
    @Test func everyRouteIsDocumentedAndNothingElse() async throws {
        let opened = try await StoreKind.sqlite.open()
        let store = opened.store
        let controller = PolicyController(
            store: EngineAppliedStore(store: store, engine: PolicyEngine(feed: store)),
            body: RequestBody(maxBytes: 1, budget: BodyBudget(limit: 1)), evaluation: .init(trustedAuthservIDs: []), audit: store)
        await opened.close()
        func documented(_ route: RouteTable.Route) -> String {
            let path = route.template.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(route.method.rawValue) /\(RouteTable.basePath)/" + path.joined(separator: "/")
        }
        var served = Set((controller.table.routes + [TokenVerifyController.route, ResetController.route]).map(documented))
        for path in HealthController.paths.union([MetricsController.path, OpenAPIController.path]) { served.insert("GET \(path)") }

        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: Set<String> = []
        var operationIDs: [String] = []
        for (path, item) in paths {
            for (method, operation) in item where method != "parameters" {
                operations.insert("\(method.uppercased()) \(path)")
                if let id = (operation as? [String: Any])?["operationId"] as? String { operationIDs.append(id) }
            }
        }
        #expect(
            operations == served,
            "documented but not served: \(operations.subtracting(served)); served but not documented: \(served.subtracting(operations))")
        #expect(operationIDs.count == operations.count && Set(operationIDs).count == operationIDs.count, "one unique operationId each")
        #expect((document["info"] as? [String: Any])?["version"] as? String == SafelistVersion.current)
    }

    @Test func theDocumentIsServedWithoutCredentials() async throws {
        try await TestServer().test { api in
            let reply = try await api.send(.get, "/openapi.json", auth: APIClient.Auth.none)
            #expect(reply.status == 200 && reply.headers[.contentType] == "application/json")
            #expect(reply.json["openapi"] as? String == "3.1.0")
        }
    }
}
