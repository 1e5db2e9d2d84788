import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SafelistAPI
import SafelistCore
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
        if let port = try port ?? Self.integer("SAFELIST_PORT") { configuration.port = port }
        if let limit = try maxBodyBytes ?? Self.integer("SAFELIST_MAX_BODY_BYTES") { configuration.maxBodyBytes = limit }
        if let limit = try rateLimit ?? Self.integer("SAFELIST_RATE_LIMIT") { configuration.rateLimit = limit }
        guard configuration.rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 or more") }
        guard (0...65535).contains(configuration.port) else { throw ValidationError("--port must be 0 to 65535") }
        guard configuration.maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        let levelText = logLevel ?? Environment.value("SAFELIST_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else { throw ValidationError("unknown log level '\(levelText)'") }

        var logger = Logger(label: "safelist")
        logger.logLevel = level
        let database = try store.openStore()
        if let secret = try await CredentialIssuer(store: database).bootstrapIfEmpty() {
            Self.announceBootstrap(secret: secret, configuration: configuration)
        }
        let host = configuration.host
        let app = buildApplication(
            policies: database, credentials: database, configuration: configuration, logger: logger,
            onServerRunning: { port in
                Console.line("Safelist listening on http://\(host):\(port) (database \(database.path))")
            })
        let services = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await services.run()
    }

    private static func integer(_ name: String) throws -> Int? {
        guard let text = Environment.value(name) else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name) must be an integer, not '\(text)'") }
        return value
    }

    private static func announceBootstrap(secret: String, configuration: APIConfiguration) {
        Console.line("""
            No credentials existed, so Safelist created an API token with Write on all accounts.
            It is shown only now; Safelist keeps only its hash:
              \(secret)
            Use it:
              curl -H "Authorization: Bearer \(secret)" http://\(configuration.host):\(configuration.port)/client/v4/accounts/<account_id>/email-security/settings/allow_policies
            """)
    }
}

/// Unbuffered standard output: a supervisor or test reading the pipe sees each line at once.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
