import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SafelistCore
import SafelistWire

/// A running server's policies through its API, for `safelist policy … --url`: the same
/// routes, token and checks as the Cloudflare SDK's, so a change is audited as the token's and
/// refused as the API refuses it. A load goes through the batch route, 1,000 rows a request.
struct RemotePolicyStore: PolicyStore, PolicyBulkLoader {
    /// `http://host:port`, with or without `/client/v4`.
    let base: String
    let token: String

    init(url: String, token: String) throws {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/client/v4") { base.removeLast("/client/v4".count) }
        guard let parsed = URL(string: base), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
            throw CommandFailure("--url must be the server's address, such as http://127.0.0.1:8080, not '\(url)'")
        }
        self.base = base + "/client/v4"
        self.token = token
    }

    private func policies(_ account: AccountID) -> String {
        "\(base)/accounts/\(account.rawValue)/email-security/settings/allow_policies"
    }

    func list(account: AccountID, query: ListQuery) async throws -> ListPage {
        let parameters = APIBodies.parameters(query).map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }
        return try APIAnswer.page(try await send(.GET, policies(account) + "?" + parameters.joined(separator: "&")), account: account)
    }

    func policy(account: AccountID, id: PolicyID) async throws -> AllowPolicy? {
        do {
            let envelope = try await send(.GET, policies(account) + "/" + id.rawValue)
            return try APIAnswer.policy(envelope["result"] ?? .null, account: account)
        } catch let error as SafelistError where error.kind == .notFound {
            return nil
        }
    }

    func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        try APIAnswer.batch(try await send(.POST, policies(account) + "/batch", body: APIBodies.batch(request)), account: account)
    }

    /// New policies, 1,000 a batch (the route's limit): each batch is all or nothing, the load
    /// as a whole is not, so a refusal says how many went in before it.
    func insert(_ policies: [AllowPolicy], origin: ChangeOrigin, indexing: BulkIndexing) async throws {
        var loaded = 0
        for (account, rows) in Dictionary(grouping: policies, by: \.accountID) {
            for start in stride(from: 0, to: rows.count, by: BatchRequest.maxItemsPerArray) {
                let chunk = rows[start..<min(start + BatchRequest.maxItemsPerArray, rows.count)]
                let request = BatchRequest(posts: chunk.map { .init(fields: PolicyFields(policy: $0)) })
                do {
                    _ = try await write(account: account, request: request)
                } catch var error as SafelistError {
                    if loaded > 0, let first = error.errors.first {
                        error.errors[0].message = "after \(loaded) policies were loaded, the server refused the next batch: " + first.message
                    }
                    throw error
                }
                loaded += chunk.count
            }
        }
    }

    func conflictKeys(account: AccountID) async throws -> [PolicyConflictKey: PolicyID] {
        var keys: [PolicyConflictKey: PolicyID] = [:]
        try await forEachPage(account: account) { policies in
            for policy in policies {
                keys[PolicyConflictKey(patternType: policy.patternType, isRegex: policy.isRegex, matchKey: policy.matchKey)] = policy.id
            }
        }
        return keys
    }

    /// Ids are the server's to give: a remote load makes new ones (`--keep-ids` is refused).
    func existingIDs(_ ids: [PolicyID]) async throws -> Set<PolicyID> { [] }

    private func send(_ method: HTTPMethod, _ url: String, body: JSONValue? = nil) async throws -> [String: JSONValue] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.jsonBytes()))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        } catch {
            throw CommandFailure("cannot reach \(base): \(error)")
        }
        let bytes = Array(buffer: try await response.body.collect(upTo: 256 << 20))
        return try APIAnswer.envelope(status: Int(response.status.code), body: bytes)
    }

    /// A query value as RFC 3986 allows it unescaped: `+` and `&` in a search must stay themselves.
    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
