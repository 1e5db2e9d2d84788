import ArgumentParser
import Hummingbird
import Logging
import SafelistServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the API server.")

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
        var configuration = ServerConfiguration()
        configuration.host = host ?? Environment.value("SAFELIST_HOST") ?? configuration.host
        if let port = try port ?? Environment.integer("SAFELIST_PORT") { configuration.port = port }
        if let limit = try maxBodyBytes ?? Environment.integer("SAFELIST_MAX_BODY_BYTES") { configuration.http.maxBodyBytes = limit }
        if let limit = try rateLimit ?? Environment.integer("SAFELIST_RATE_LIMIT") { configuration.http.rateLimit = limit }
        guard configuration.http.rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 or more") }
        guard (0...65535).contains(configuration.port) else { throw ValidationError("--port must be 0 to 65535") }
        guard configuration.http.maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        configuration.store = try store.configuration()
        let levelText = logLevel ?? Environment.value("SAFELIST_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else { throw ValidationError("unknown log level '\(levelText)'") }

        var logger = Logger(label: "safelist")
        logger.logLevel = level
        do {
            try await buildApplication(configuration: configuration, logger: logger).runService()
        } catch let error as StoreConfigurationError {
            throw ValidationError(error.description)
        } catch is StoppedBeforeStart {
            // SIGTERM or SIGINT while waiting for the database: nothing was served, nothing to drain.
        }
    }
}
