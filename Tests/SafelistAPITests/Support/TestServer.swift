import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SafelistAPI
import SafelistCore
import SafelistEngine
import SafelistSQLite
import SafelistServer
import SafelistTesting

let accountA = AccountID("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")!
let accountB = AccountID("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")!

func policiesPath(_ account: AccountID, _ rest: String = "", bare: Bool = false) -> String {
    (bare ? "" : "/client/v4") + "/accounts/\(account.rawValue)/email-security/settings/allow_policies" + rest
}

/// The real router over a fresh store of one backend: a SQLite file in a temporary directory,
/// or a new PostgreSQL database.
struct TestServer {
    let opened: OpenStore
    var store: any AnyStore { opened.store }
    /// Write on every account.
    let token: String

    init(
        _ kind: StoreKind = .sqlite, maxBodyBytes: Int? = nil, rateLimit: Int = 0, trustedAuthservIDs: Set<String> = [],
        metrics: MetricsAccess? = nil, allowReset: Bool = false
    ) async throws {
        self.metrics = metrics
        self.allowReset = allowReset
        self.rateLimit = rateLimit
        self.maxBodyBytes = maxBodyBytes
        self.trustedAuthservIDs = trustedAuthservIDs
        opened = try await kind.open()
        token = try await CredentialIssuer(store: opened.store).issueToken(name: "test", permission: .write, scope: .all).secret
    }

    private let metrics: MetricsAccess?
    private let allowReset: Bool
    private let maxBodyBytes: Int?
    private let rateLimit: Int
    private let trustedAuthservIDs: Set<String>

    func issue(_ permission: Permission, _ scope: AccountScope, expiresAt: Timestamp? = nil) async throws -> String {
        try await CredentialIssuer(store: store).issueToken(
            name: "t", permission: permission, scope: scope, expiresAt: expiresAt
        ).secret
    }

    /// Runs `body` against the application `safelist serve` would run on this database (the
    /// composition root, its services and start-up), through its router; then closes the store.
    func test(_ body: @escaping @Sendable (APIClient) async throws -> Void) async throws {
        var configuration = ServerConfiguration()
        configuration.store.location = opened.location
        configuration.store.sqliteSynchronous = .normal
        configuration.store.postgresPoolSize = 2
        // With the whole suite on two cores, a group of sixteen racing creates (each refused
        // one in a savepoint after the group without them failed) ran past the served 5 s.
        configuration.store.postgresTimeout = .seconds(30)
        if let maxBodyBytes { configuration.http.maxBodyBytes = maxBodyBytes }
        configuration.http.rateLimit = rateLimit
        configuration.http.trustedAuthservIDs = trustedAuthservIDs
        configuration.http.allowReset = allowReset
        // A batch of 800 regexes, each checked by a worker process, took more than the default
        // 30 s with the whole suite on two cores; the budget's own tests run the executable.
        configuration.http.regexPerRequest = .seconds(300)
        if let metrics {
            // Bootstrapped before the application makes its metrics, as `serve` does.
            let registry = TestMetrics.registry
            configuration.http.metrics = MetricsEndpoint(access: metrics) { registry.emitToBuffer() }
        }
        configuration.announce = { _ in }
        var logger = Logger(label: "safelist-test")
        logger.logLevel = .error
        let token = token
        do {
            let app = try buildApplication(configuration: configuration, logger: logger)
            try await app.test(.router) { client in
                try await body(APIClient(client: client, token: token))
            }
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
    }
}

/// Sends requests as a client that skips an SDK's checks would: raw bodies, any headers.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let token: String

    enum Auth: Sendable {
        case bearer(String)
        case none
        case headers([(String, String)])
    }

    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ path: String, json: Any? = nil, raw: String? = nil,
        auth: Auth? = nil, contentType: String? = "application/json", headers extra: [(String, String)] = []
    ) async throws -> Reply {
        var headers = HTTPFields()
        switch auth ?? .bearer(token) {
        case .bearer(let secret): headers[.authorization] = "Bearer \(secret)"
        case .none: break
        case .headers(let list): for (name, value) in list { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        }
        for (name, value) in extra { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            body = ByteBuffer(string: raw)
        }
        if body != nil, let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
            Reply(status: Int(response.status.code), headers: response.headers, data: Data(buffer: response.body))
        }
    }
}

struct Reply: Sendable {
    let status: Int
    let headers: HTTPFields
    let data: Data

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    var result: [String: Any] { json["result"] as? [String: Any] ?? [:] }
    var results: [[String: Any]] { json["result"] as? [[String: Any]] ?? [] }
    var errors: [[String: Any]] { json["errors"] as? [[String: Any]] ?? [] }
    var messages: [[String: Any]] { json["messages"] as? [[String: Any]] ?? [] }
    var errorCodes: [Int] { errors.compactMap { $0["code"] as? Int } }
    var pointers: [String] { errors.compactMap { ($0["source"] as? [String: Any])?["pointer"] as? String } }
    var id: String { result["id"] as? String ?? "" }
    var text: String { String(decoding: data, as: UTF8.self) }
}

/// A complete create body; override fields by passing them.
func policyBody(_ pattern: String, _ type: String = "EMAIL", regex: Bool = false, _ overrides: [String: Any] = [:]) -> [String: Any] {
    var body: [String: Any] = [
        "pattern": pattern, "pattern_type": type, "is_regex": regex, "is_trusted_sender": true,
        "is_exempt_recipient": false, "is_acceptable_sender": false, "verify_sender": true,
    ]
    for (key, value) in overrides { body[key] = value }
    return body
}
