import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import SafelistAPI
import SafelistCore
import SafelistRegex
import SafelistServer
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the API server.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Address to listen on (env SAFELIST_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env SAFELIST_PORT; default 8787).")
    var port: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env SAFELIST_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(
        help:
            "On a database without credentials: write the first token's secret to this file (mode 0600) instead of printing it (env SAFELIST_BOOTSTRAP_TOKEN_FILE)."
    )
    var bootstrapTokenFile: String?

    @Option(
        help:
            "On a database without credentials: the first token's secret, 20 to 256 of A-Z a-z 0-9 - _, for a CI job that needs a known token (env SAFELIST_BOOTSTRAP_TOKEN)."
    )
    var bootstrapToken: String?

    @Option(help: "Serve /metrics (Prometheus) and keep the request metrics behind it: on or off (env SAFELIST_METRICS; default on).")
    var metrics: String?

    @Option(
        help:
            "Who may read /metrics: loopback (no credentials, loopback clients only), open, or token (env SAFELIST_METRICS_ACCESS; default loopback)."
    )
    var metricsAccess: String?

    @Option(help: "Log line format: text (key=value) or json, one object a line (env SAFELIST_LOG_FORMAT; default text).")
    var logFormat: String?

    @Option(help: "Largest request body accepted, in bytes (env SAFELIST_MAX_BODY_BYTES; default 33554432).")
    var maxBodyBytes: Int?

    @Option(help: "Requests per credential per five minutes, answered 429 past it; 0 is off (env SAFELIST_RATE_LIMIT; default 0).")
    var rateLimit: Int?

    @Option(
        help:
            "Open connections at most; past it the longest idle one is closed (env SAFELIST_MAX_CONNECTIONS; default: the file descriptor limit less 256, at most 16384)."
    )
    var maxConnections: Int?

    @Option(help: "Seconds a connection may wait between requests (env SAFELIST_IDLE_TIMEOUT; default 60).")
    var idleTimeout: Double?

    @Option(help: "Seconds from a request's first byte to the end of its head (env SAFELIST_HEADER_TIMEOUT; default 10).")
    var headerTimeout: Double?

    @Option(help: "Seconds from a request's head to the end of its body (env SAFELIST_BODY_TIMEOUT; default 30).")
    var bodyTimeout: Double?

    @Option(help: "Bytes of request bodies read at once over all connections; past it 503 (env SAFELIST_MAX_BUFFERED_BODY_BYTES; default 268435456).")
    var maxBufferedBodyBytes: Int?

    @Option(help: "Seconds one regex may take to compile before it is refused (env SAFELIST_REGEX_PATTERN_TIMEOUT; default 2).")
    var regexPatternTimeout: Double?

    @Option(help: "Seconds all of one request's regexes may take to check, waiting included (env SAFELIST_REGEX_REQUEST_BUDGET; default 30).")
    var regexRequestBudget: Double?

    @Option(help: "Megabytes of memory a regex compiler process may use (env SAFELIST_REGEX_MEMORY_MB; default 512).")
    var regexMemoryMb: Int?

    @Option(help: "Regex compiler processes at most (env SAFELIST_REGEX_WORKERS; default 2).")
    var regexWorkers: Int?

    @Option(help: "Seconds an account may go unevaluated before the engine drops it from memory (env SAFELIST_ENGINE_IDLE_EVICTION; default 600).")
    var engineIdleEviction: Double?

    @Flag(help: "A throwaway database in a temporary directory, removed when the server stops (test suites).")
    var ephemeral = false

    @Option(help: "ACCOUNT=FILE: load a policy file (JSON lines or CSV) into an account that has none, before listening; repeatable.")
    var seed: [String] = []

    @Option(help: "The listening line: text, or json (one object with url, port, version, database, token_id) for a test harness.")
    var startLine: StartLine?

    @Flag(help: "Serve POST /client/v4/safelist/reset, which empties accounts (test set-ups only; Write on all accounts needed).")
    var allowReset = false

    @Option(
        help:
            "Days audit entries are kept, fractions allowed; 0 keeps them for good (env SAFELIST_AUDIT_RETENTION_DAYS; default 365)."
    )
    var auditRetentionDays: Double?

    @OptionGroup var verification: VerificationOptions

    @OptionGroup var mail: MailListenerOptions

    func run() async throws {
        // Log lines are written in batches (`LogSink`): the last ones leave before the process does.
        defer { LogSink.standardOutput.flush() }
        var configuration = ServerConfiguration()
        configuration.host = host ?? Environment.value("SAFELIST_HOST") ?? configuration.host
        if let port = try port ?? Environment.integer("SAFELIST_PORT") { configuration.port = port }
        if let limit = try maxBodyBytes ?? Environment.integer("SAFELIST_MAX_BODY_BYTES") { configuration.http.maxBodyBytes = limit }
        if let limit = try rateLimit ?? Environment.integer("SAFELIST_RATE_LIMIT") { configuration.http.rateLimit = limit }
        guard configuration.http.rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 or more") }
        guard (0...65535).contains(configuration.port) else { throw ValidationError("--port must be 0 to 65535") }
        guard configuration.http.maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        configuration.store = try store.configuration()
        var throwaway: String?
        if ephemeral {
            guard store.database == nil, Environment.value("SAFELIST_DATABASE") == nil else {
                throw ValidationError("--ephemeral makes its own database; leave out --database and SAFELIST_DATABASE")
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safelist-ephemeral-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            throwaway = directory
            configuration.store.location = directory + "/safelist.sqlite"
        }
        defer { if let throwaway { try? FileManager.default.removeItem(atPath: throwaway) } }
        configuration.seeds = try seed.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let account = AccountID(parts[0]), !parts[1].isEmpty else {
                throw ValidationError("--seed takes ACCOUNT=FILE (32 hexadecimal characters, '=', a path), not '\(text)'")
            }
            guard FileManager.default.isReadableFile(atPath: parts[1]) else { throw ValidationError("--seed: cannot read \(parts[1])") }
            return Seed(account: account, path: parts[1])
        }
        let lineText = startLine?.rawValue ?? Environment.value("SAFELIST_START_LINE") ?? "text"
        guard let line = StartLine(rawValue: lineText) else { throw ValidationError("--start-line must be text or json, not '\(lineText)'") }
        configuration.startLine = line
        configuration.http.allowReset = allowReset || Environment.value("SAFELIST_ALLOW_RESET") == "1"
        configuration.engine.publicSuffixes = try verification.publicSuffixes()
        configuration.http.trustedAuthservIDs = verification.trustedAuthservIDs
        configuration.mail = try mail.configuration(trustedAuthservIDs: verification.trustedAuthservIDs)
        if let seconds = try engineIdleEviction ?? Environment.double("SAFELIST_ENGINE_IDLE_EVICTION") {
            configuration.engine.idleEviction = try DurationFlag.value(seconds, "--engine-idle-eviction")
        }
        try connectionLimits(&configuration.http.connections)
        if let days = try auditRetentionDays ?? Environment.double("SAFELIST_AUDIT_RETENTION_DAYS") {
            guard days >= 0, days.isFinite else {
                throw ValidationError("--audit-retention-days must be 0 (keep for good) or a positive number of days")
            }
            configuration.auditRetention = days == 0 ? nil : .milliseconds(Int64(days * 86_400_000))
        }
        configuration.http.metrics = try metricsEndpoint()
        configuration.bootstrap.file = bootstrapTokenFile ?? Environment.value("SAFELIST_BOOTSTRAP_TOKEN_FILE")
        if let secret = bootstrapToken ?? Environment.value("SAFELIST_BOOTSTRAP_TOKEN") {
            guard CredentialIssuer.isUsableSecret(secret) else {
                throw ValidationError("--bootstrap-token must be 20 to 256 characters of A-Z, a-z, 0-9, '-' and '_'")
            }
            configuration.bootstrap.secret = secret
        }
        let levelText = logLevel ?? Environment.value("SAFELIST_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else { throw ValidationError("unknown log level '\(levelText)'") }

        let formatText = logFormat ?? Environment.value("SAFELIST_LOG_FORMAT") ?? "text"
        guard let format = LogFormat(rawValue: formatText) else { throw ValidationError("--log-format must be text or json, not '\(formatText)'") }
        var logger = Logger(label: "safelist") { BufferedLogHandler(label: $0, format: format) }
        logger.logLevel = level
        // The workers are stopped first on SIGTERM (the last service of a group is asked to
        // stop first), so requests still compiling end at once; the whole shutdown is bounded.
        var regexLimits = RegexWorkers.Limits()
        if let megabytes = try regexMemoryMb ?? Environment.integer("SAFELIST_REGEX_MEMORY_MB") {
            guard megabytes >= 64 else { throw ValidationError("--regex-memory-mb must be at least 64") }
            regexLimits.memoryBytes = megabytes * 1024 * 1024
        }
        if let count = try regexWorkers ?? Environment.integer("SAFELIST_REGEX_WORKERS") {
            guard count >= 1 else { throw ValidationError("--regex-workers must be at least 1") }
            regexLimits.workers = count
        }
        if let seconds = try regexPatternTimeout ?? Environment.double("SAFELIST_REGEX_PATTERN_TIMEOUT") {
            configuration.http.regexPerPattern = try DurationFlag.value(seconds, "--regex-pattern-timeout")
        }
        if let seconds = try regexRequestBudget ?? Environment.double("SAFELIST_REGEX_REQUEST_BUDGET") {
            configuration.http.regexPerRequest = try DurationFlag.value(seconds, "--regex-request-budget")
        }
        let workers = RegexWorkers.locate().map { RegexWorkers(executable: $0, limits: regexLimits) }
        configuration.regexWorkers = workers
        do {
            let app = try buildApplication(configuration: configuration, logger: logger)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: app)]
            if let workers { services.append(.init(service: RegexWorkersStopper(workers: workers))) }
            var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = .seconds(30)
            try await ServiceGroup(configuration: group).run()
        } catch let error as SeedFailed {
            throw CommandFailure(error.description)
        } catch is StoppedBeforeStart {
            // SIGTERM or SIGINT while waiting for the database: nothing was served, nothing to drain.
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            // Nothing was minted: the bootstrap token is created once the port is bound.
            throw ValidationError(
                "port \(configuration.port) on \(configuration.host) is already in use (another Safelist?); pick another with --port, or --port 0 for a free one"
            )
        }
    }

    /// `/metrics`, when on: swift-metrics bootstrapped once for the process with a Prometheus
    /// registry, which the route renders.
    private func metricsEndpoint() throws -> MetricsEndpoint? {
        let enabled = metrics ?? Environment.value("SAFELIST_METRICS") ?? "on"
        guard enabled == "on" || enabled == "off" else { throw ValidationError("--metrics must be on or off, not '\(enabled)'") }
        guard enabled == "on" else { return nil }
        let accessText = metricsAccess ?? Environment.value("SAFELIST_METRICS_ACCESS") ?? "loopback"
        guard let access = MetricsAccess(rawValue: accessText) else {
            throw ValidationError("--metrics-access must be loopback, open or token, not '\(accessText)'")
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return MetricsEndpoint(access: access) { registry.emitToBuffer() }
    }

    /// The connection flags, over a descriptor limit raised as far as the system allows: each
    /// connection is a file descriptor, and the soft limit is often 1,024.
    private func connectionLimits(_ limits: inout ConnectionLimits) throws {
        let descriptors = FileDescriptorLimit.raise()
        limits.maxConnections =
            try maxConnections ?? Environment.integer("SAFELIST_MAX_CONNECTIONS")
            ?? ConnectionLimits.connectionLimit(fileDescriptors: descriptors)
        guard limits.maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        if let seconds = try idleTimeout ?? Environment.double("SAFELIST_IDLE_TIMEOUT") {
            limits.idleTimeout = try DurationFlag.value(seconds, "--idle-timeout")
        }
        if let seconds = try headerTimeout ?? Environment.double("SAFELIST_HEADER_TIMEOUT") {
            limits.headerTimeout = try DurationFlag.value(seconds, "--header-timeout")
        }
        if let seconds = try bodyTimeout ?? Environment.double("SAFELIST_BODY_TIMEOUT") {
            limits.bodyTimeout = try DurationFlag.value(seconds, "--body-timeout")
        }
        if let bytes = try maxBufferedBodyBytes ?? Environment.integer("SAFELIST_MAX_BUFFERED_BODY_BYTES") {
            guard bytes > 0 else { throw ValidationError("--max-buffered-body-bytes must be positive") }
            limits.maxBufferedBodyBytes = bytes
        }
    }
}

extension StartLine: ExpressibleByArgument {}
