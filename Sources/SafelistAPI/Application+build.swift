import Hummingbird
import Logging
import SafelistCore
import SafelistEngine

/// What the HTTP application needs; the executable fills it from flags and environment.
public struct APIConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8787
    /// Large enough for a full batch (4 × 1,000 items with 1,024-character fields).
    public var maxBodyBytes = 32 * 1024 * 1024
    /// Requests per credential per five minutes; 0 turns the limiter off (the default: a
    /// self-hosted server usually serves its own automation).
    public var rateLimit = 0

    public init() {}
}

/// The router with every route and middleware: used by the server and, unchanged, by the tests.
public func buildRouter(
    policies: any PolicyStore, credentials: any CredentialStore, engine: PolicyEngine,
    configuration: APIConfiguration = .init()
) -> Router<SafelistRequestContext> {
    let router = Router(context: SafelistRequestContext.self)
    let controller = PolicyController(store: policies, engine: engine, maxBodyBytes: configuration.maxBodyBytes)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware(routes: controller.table))
    router.add(middleware: AuthMiddleware(authenticator: Authenticator(store: credentials)))
    if configuration.rateLimit > 0 {
        router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(limit: configuration.rateLimit)))
    }
    controller.register(on: router)
    return router
}

public func buildApplication(
    policies: any PolicyStore, credentials: any CredentialStore, engine: PolicyEngine, configuration: APIConfiguration,
    logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(policies: policies, credentials: credentials, engine: engine, configuration: configuration),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Safelist"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}
