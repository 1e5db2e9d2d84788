import Hummingbird
import Logging
import SafelistCore
import SafelistEngine
import SafelistWire

/// What the HTTP layer itself needs to know.
public struct HTTPOptions: Sendable {
    /// Large enough for a full batch (4 × 1,000 items with 1,024-character fields).
    public var maxBodyBytes = 32 * 1024 * 1024
    /// Requests per credential per five minutes; 0 turns the limiter off (the default: a
    /// self-hosted server usually serves its own automation).
    public var rateLimit = 0
    public var connections = ConnectionLimits()
    /// What compiling one regex, and all of one request's, may take.
    public var regexPerPattern = RegexBudget.defaultPerPattern
    public var regexPerRequest = RegexBudget.defaultPerRequest
    /// authserv-ids whose `Authentication-Results` evaluate reads; none by default.
    public var trustedAuthservIDs: Set<String> = []
    /// `/metrics` and the request metrics behind it; nil leaves both out.
    public var metrics: MetricsEndpoint?
    /// Whether `POST /client/v4/safelist/reset` may empty accounts (`serve --allow-reset`).
    public var allowReset = false

    public init() {}
}

/// The router with every route and middleware. The composition root (`SafelistServer`) puts it
/// in an application; nothing else builds one.
public func buildRouter(
    policies: EngineAppliedStore, audit: any AuditLog & AccountDirectory, credentials: any CredentialStore, readiness: Readiness,
    options: HTTPOptions
) -> Router<SafelistRequestContext> {
    let router = Router(context: SafelistRequestContext.self)
    let body = RequestBody(maxBytes: options.maxBodyBytes, budget: BodyBudget(limit: options.connections.maxBufferedBodyBytes))
    let controller = PolicyController(
        store: policies, body: body, evaluation: EvaluationRequest.Context(trustedAuthservIDs: options.trustedAuthservIDs),
        audit: audit)
    router.add(middleware: RequestLogMiddleware())
    // Requests by route template, method and status, with their durations; outside the error
    // middleware, so refusals count by their status.
    if options.metrics != nil { router.add(middleware: RequestMetricsMiddleware()) }
    let verify = TokenVerifyController()
    let reset = ResetController(reset: PolicyReset(store: policies, directory: audit), allowed: options.allowReset)
    router.add(
        middleware: ErrorMiddleware(routes: RouteTable(routes: controller.table.routes + [TokenVerifyController.route, ResetController.route])))
    var publicPaths = HealthController.paths.union([OpenAPIController.path])
    if let metrics = options.metrics, metrics.access != .token { publicPaths.insert(MetricsController.path) }
    router.add(middleware: AuthMiddleware(authenticator: Authenticator(store: credentials), publicPaths: publicPaths))
    router.add(middleware: RegexBudgetMiddleware(perPattern: options.regexPerPattern, perRequest: options.regexPerRequest))
    if options.rateLimit > 0 {
        router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(limit: options.rateLimit)))
    }
    controller.register(on: router)
    verify.register(on: router)
    reset.register(on: router)
    HealthController(readiness: readiness).register(on: router)
    OpenAPIController().register(on: router)
    if let metrics = options.metrics { MetricsController(endpoint: metrics).register(on: router) }
    return router
}
