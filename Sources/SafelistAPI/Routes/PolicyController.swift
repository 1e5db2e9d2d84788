import Hummingbird
import SafelistCore
import SafelistEngine
import SafelistWire

/// The seven allow-policy operations (spec §1, §3) and evaluation. Each handler authorizes
/// before it reads the body, so a Read token learns nothing from a write's validation. Writes go
/// through `EngineAppliedStore`, so an evaluation that follows an acknowledged write sees it.
struct PolicyController: Sendable {
    let store: EngineAppliedStore
    let body: RequestBody
    let evaluation: EvaluationRequest.Context
    let audit: any AuditLog

    typealias Handler = @Sendable (Request, SafelistRequestContext) async throws -> Response

    var routes: [(route: RouteTable.Route, handler: Handler)] {
        [
            (.init(method: .get, path: ""), list),
            (.init(method: .post, path: ""), create),
            (.init(method: .post, path: "batch"), batch),
            EvaluateController(engine: store.engine, body: body, reading: evaluation).route,
            (.init(method: .get, path: "audit"), auditTrail),
            (.init(method: .get, path: ":policy_id"), get),
            (.init(method: .patch, path: ":policy_id"), edit),
            (.init(method: .put, path: ":policy_id"), replace),
            (.init(method: .delete, path: ":policy_id"), delete),
        ]
    }

    var table: RouteTable { RouteTable(routes: routes.map(\.route)) }

    func register(on router: Router<SafelistRequestContext>) {
        for (route, handler) in routes {
            for template in RouteTable.templates(of: route) {
                router.on(RouterPath(template), method: route.method, use: handler)
            }
        }
    }

    @Sendable func list(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .read, path: request.uri.path)
        let query = try ListQuery.parse(QueryString.pairs(request.uri.query))
        let page = try await store.list(account: account, query: query)
        let info = ResultInfo(
            page: query.page, perPage: query.perPage, count: page.policies.count,
            totalCount: page.totalCount)
        return EnvelopeResponse.success(page.policies.map(PolicyJSON.init), info: info)
    }

    @Sendable func create(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .write, path: request.uri.path)
        var notices: [ErrorItem] = []
        let fields = try PolicyFields.parse(await body.json(request), notices: &notices)
        let policy = try await store.create(account: account, fields: fields, origin: context.origin(.api))
        return EnvelopeResponse.success(PolicyJSON(policy: policy), status: .created, messages: notices)
    }

    @Sendable func get(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .read, path: request.uri.path)
        let id = try context.policyID(path: request.uri.path)
        guard let policy = try await store.policy(account: account, id: id) else { throw SafelistError.policyNotFound() }
        return EnvelopeResponse.success(PolicyJSON(policy: policy))
    }

    @Sendable func edit(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .write, path: request.uri.path)
        let id = try context.policyID(path: request.uri.path)
        var notices: [ErrorItem] = []
        let edit = try PolicyEdit.parse(await body.json(request), notices: &notices)
        let policy = try await store.edit(account: account, id: id, edit: edit, origin: context.origin(.api))
        return EnvelopeResponse.success(PolicyJSON(policy: policy), messages: notices)
    }

    @Sendable func replace(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .write, path: request.uri.path)
        let id = try context.policyID(path: request.uri.path)
        var notices: [ErrorItem] = []
        let fields = try PolicyFields.parse(await body.json(request), notices: &notices)
        let policy = try await store.replace(account: account, id: id, fields: fields, origin: context.origin(.api))
        return EnvelopeResponse.success(PolicyJSON(policy: policy), messages: notices)
    }

    /// The official SDKs send `Content-Type: application/json` with no body here: the body is ignored.
    @Sendable func delete(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .write, path: request.uri.path)
        let id = try context.policyID(path: request.uri.path)
        try await store.delete(account: account, id: id, origin: context.origin(.api))
        return EnvelopeResponse.success(DeletedJSON(id: id))
    }

    @Sendable func batch(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .write, path: request.uri.path)
        var notices: [ErrorItem] = []
        let batch = try BatchRequest.parse(await body.json(request), notices: &notices)
        let result = try await store.write(account: account, request: batch.from(context.origin(.batch)))
        return EnvelopeResponse.success(BatchResultJSON(result), messages: notices)
    }

    /// Safelist's own route: the account's audit trail, newest first (Read permission).
    @Sendable func auditTrail(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .read, path: request.uri.path)
        let query = try AuditQuery.parse(QueryString.pairs(request.uri.query))
        let page = try await audit.audit(account: account, query: query)
        let info = ResultInfo(page: query.page, perPage: query.perPage, count: page.entries.count, totalCount: page.totalCount)
        return EnvelopeResponse.success(page.entries.map(AuditJSON.init), info: info)
    }
}
