import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SafelistAPI
import SafelistCore
import SafelistEngine
import SafelistPostgres
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the API server.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Address to listen on (env SAFELIST_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env SAFELIST_PORT; default 8787).")
    var port: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env SAFELIST_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "Largest request body accepted, in bytes (env SAFELIST_MAX_BODY_BYTES; default 33554432).")
    var maxBodyBytes: Int?

    @Option(help: "Requests per credential per five minutes, answered 429 past it; 0 is off (env SAFELIST_RATE_LIMIT; default 0).")
    var rateLimit: Int?

    func run() async throws {
        var configuration = APIConfiguration()
        configuration.host = host ?? Environment.value("SAFELIST_HOST") ?? configuration.host
        if let port = try port ?? Environment.integer("SAFELIST_PORT") { configuration.port = port }
        if let limit = try maxBodyBytes ?? Environment.integer("SAFELIST_MAX_BODY_BYTES") { configuration.maxBodyBytes = limit }
        if let limit = try rateLimit ?? Environment.integer("SAFELIST_RATE_LIMIT") { configuration.rateLimit = limit }
        guard configuration.rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 or more") }
        guard (0...65535).contains(configuration.port) else { throw ValidationError("--port must be 0 to 65535") }
        guard configuration.maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        let levelText = logLevel ?? Environment.value("SAFELIST_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else { throw ValidationError("unknown log level '\(levelText)'") }

        var logger = Logger(label: "safelist")
        logger.logLevel = level
        let opened = try store.open(logger: logger)
        let database = opened.store
        let host = configuration.host
        let engine = PolicyEngine(feed: database)
        let app = buildApplication(
            policies: database, credentials: database, engine: engine, configuration: configuration, logger: logger,
            onServerRunning: { port in
                Console.line("Safelist listening on http://\(host):\(port) (database \(opened.description))")
            })
        let start = StartWhenReady(postgres: opened.postgres, credentials: database, configuration: configuration, app: app)
        // The store starts first and stops last: shutdown drains the HTTP server before the pool closes.
        var services: [any Service] = []
        if let postgres = opened.postgres { services.append(postgres) }
        services.append(EngineFollower(engine: engine))
        services.append(start)
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    static func announceBootstrap(secret: String, configuration: APIConfiguration) {
        Console.line("""
            No credentials existed, so Safelist created an API token with Write on all accounts.
            It is shown only now; Safelist keeps only its hash:
              \(secret)
            Use it:
              curl -H "Authorization: Bearer \(secret)" http://\(configuration.host):\(configuration.port)/client/v4/accounts/<account_id>/email-security/settings/allow_policies
            """)
    }
}

/// Opens the HTTP port once the store can serve: at once for SQLite; for PostgreSQL after it
/// is reachable and migrated, saying why it waits meanwhile. Then creates the first token if the
/// database holds no credential.
struct StartWhenReady<App: ApplicationProtocol>: Service {
    let postgres: PostgresStore?
    let credentials: any CredentialStore
    let configuration: APIConfiguration
    let app: App

    func run() async throws {
        if let postgres {
            do {
                try await cancelWhenGracefulShutdown { try await Self.wait(for: postgres) }
            } catch is CancellationError {
                return
            }
        }
        if let secret = try await CredentialIssuer(store: credentials).bootstrapIfEmpty() {
            Serve.announceBootstrap(secret: secret, configuration: configuration)
        }
        try await app.run()
    }

    private static func wait(for postgres: PostgresStore) async throws {
        var announced: String?
        while true {
            do {
                try await postgres.waitUntilReady(retrying: true, timeout: .seconds(1))
                break
            } catch let error as PostgresUnavailable {
                if announced != error.reason {
                    Console.line("Waiting for PostgreSQL at \(postgres.location): \(error.reason)")
                    announced = error.reason
                }
            }
        }
        if announced != nil { Console.line("Connected to PostgreSQL at \(postgres.location)") }
    }
}

/// Keeps the engine's compiled policies current with writes made through other nodes.
struct EngineFollower: Service {
    let engine: PolicyEngine

    func run() async throws {
        await cancelWhenGracefulShutdown { await engine.follow() }
    }
}

/// Unbuffered standard output: a supervisor or test reading the pipe sees each line at once.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
