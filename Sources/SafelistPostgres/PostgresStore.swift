import Foundation
import Logging
import NIOSSL
import PostgresNIO
import SafelistCore
import ServiceLifecycle
import Synchronization

/// The shared store: many stateless Safelist nodes over one PostgreSQL database. Every request
/// leases one pooled connection and runs one transaction. The store is a `Service`: `run()`
/// connects (retrying while the database is unreachable), applies migrations, then follows
/// other nodes' writes with `LISTEN`, until graceful shutdown closes the pool.
public final class PostgresStore: Sendable, Service {
    public struct Options: Sendable {
        /// Connections this node opens at most. Every node has its own pool, so PostgreSQL's
        /// `max_connections` must cover the sum over nodes (plus one listener each).
        public var poolSize = 10
        /// How long a request waits for the database before it is answered 503.
        public var timeout: Duration = .seconds(5)
        /// Between connection attempts while the database is unreachable.
        public var retryInterval: Duration = .seconds(2)
        /// The smallest load that `BulkIndexing.rebuiltExclusively` rebuilds the indexes for:
        /// below it, maintaining them costs less than building them again.
        public var rebuildIndexesFrom = 20_000

        public init() {}
    }

    public let location: PostgresLocation
    let options: Options
    let client: PostgresClient
    let logger: Logger
    /// Ends of recent list pages, so sequential paging seeks instead of skipping.
    let boundaries = PageBoundaryCache()
    let hub = ChangeSignalHub()
    /// Concurrent writes share one transaction (`write(account:request:)`).
    let groups = GroupCommit<PostgresWrite>()
    /// What the change listener heard, for caches (`ChangeStamps`).
    let stamps = ListenerStamps()
    private let state = Mutex<ConnectionState>(.starting(reason: "not connected yet"))
    /// When a probe after a failed request last reached the database (`failure`).
    private let reachedRecently = Mutex<ContinuousClock.Instant?>(nil)
    /// Failed start attempts: a caller that will not wait gives up after the first.
    private let attempts = Atomic<Int>(0)

    enum ConnectionState {
        case starting(reason: String)
        case ready
        /// Requests fail at once until `until`, instead of each waiting out the timeout.
        case outage(reason: String, until: ContinuousClock.Instant)
    }

    public init(location: PostgresLocation, options: Options = Options(), logger: Logger = Logger(label: "safelist.postgres")) throws {
        self.location = location
        self.options = options
        self.logger = logger
        var configuration = try location.clientConfiguration()
        configuration.options.maximumConnections = options.poolSize
        configuration.options.connectTimeout = options.timeout
        configuration.options.additionalStartupParameters = [("application_name", "safelist")]
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    // MARK: Lifecycle

    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await self.becomeReady()
                    await self.followOtherNodes()
                }
            }
        }
        hub.finish()
    }

    /// Waits until `run()` has connected and migrated. With `retrying: false` the first failed
    /// attempt is thrown, for commands that should fail rather than wait.
    public func waitUntilReady(retrying: Bool, timeout: Duration? = nil) async throws {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            let current = state.withLock { $0 }
            switch current {
            case .ready, .outage: return
            case .starting(let reason):
                if !retrying, attempts.load(ordering: .relaxed) > 0 { throw PostgresUnavailable(location: location, reason: reason) }
                if let deadline, ContinuousClock.now >= deadline { throw PostgresUnavailable(location: location, reason: reason) }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func becomeReady() async {
        var announced: String?
        while !Task.isCancelled {
            do {
                try await probe()
                try await migrate()
                state.withLock { $0 = .ready }
                if announced != nil { logger.notice("connected to \(location)") }
                return
            } catch {
                let reason = location.explain(error)
                state.withLock { $0 = .starting(reason: reason) }
                attempts.add(1, ordering: .relaxed)
                if announced != reason {
                    logger.error("PostgreSQL at \(location) is unavailable: \(reason); retrying every \(options.retryInterval)")
                    announced = reason
                }
                try? await Task.sleep(for: options.retryInterval)
            }
        }
    }

    /// One direct connection, outside the pool: the pool retries failed connections silently,
    /// while this reports why (refused, unknown host, wrong password, missing database).
    func probe(connectTimeout: Duration? = nil) async throws {
        var configuration = try location.connectionConfiguration()
        let limit = connectTimeout ?? options.timeout
        configuration.options.connectTimeout = .nanoseconds(limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000)
        let settings = configuration
        let connection = try await Deadline.run(limit) {
            try await PostgresConnection.connect(configuration: settings, id: 0, logger: self.logger)
        }
        defer { Task { try? await connection.close() } }
        try await connection.query("SELECT 1", logger: logger)
    }

    // MARK: Requests

    /// Runs `body` on a pooled connection, bounded by the timeout. Database failures become the
    /// API's 503 with their reason; a store error thrown by `body` passes through.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        if let refusal = refusal() { throw SafelistError.unavailable(refusal) }
        do {
            let value = try await Deadline.run(options.timeout) {
                try await self.client.withConnection { connection in try await body(connection) }
            }
            endOutage()
            return value
        } catch let error where error is SafelistError || error is CredentialError || error is UncheckedRegexes {
            throw error
        } catch {
            throw await failure(error)
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back when it throws and rethrowing its error
    /// unchanged (postgres-nio's own helper wraps it).
    func transaction<T: Sendable>(
        _ begin: String = "BEGIN", _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = logger
        return try await withConnection { connection in
            try await Self.inTransaction(connection, begin, logger: logger, body)
        }
    }

    static func inTransaction<T>(
        _ connection: PostgresConnection, _ begin: String = "BEGIN", logger: Logger,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return value
    }

    private func refusal() -> String? {
        state.withLock { state in
            switch state {
            case .ready: return nil
            case .starting(let reason): return "PostgreSQL at \(location.endpoint) is not ready: \(reason)"
            case .outage(let reason, let until):
                guard ContinuousClock.now < until else {
                    state = .ready
                    return nil
                }
                return "PostgreSQL at \(location.endpoint): \(reason)"
            }
        }
    }

    private func endOutage() {
        state.withLock { state in
            if case .outage = state { state = .ready }
        }
    }

    /// Turns a failed request into the error the client sees. The database is probed for a
    /// reason: if it cannot be reached, requests fail fast for a second instead of queueing on
    /// the pool. If it answers, the request that failed (one that ran past its deadline) fails
    /// alone: taking every request down for a second with it turned one slow write into 9,000
    /// refused reads (`scripts/bench-http`, PostgreSQL). A probe that succeeded stands for a
    /// second, so a burst of slow requests does not open a connection each.
    ///
    /// A request cancelled with its task (the server stopping, its caller gone) says nothing
    /// about the database, and a probe from that task fails as cancelled too: it took every
    /// request down for a second, and logged a stop as a failure.
    private func failure(_ error: any Error) async -> SafelistError {
        if error is CancellationError || Task.isCancelled {
            logger.debug("PostgreSQL at \(location): a request was cancelled")
            return SafelistError.unavailable("PostgreSQL at \(location.endpoint): the request was cancelled")
        }
        if let server = (error as? PSQLError)?.serverInfo, let sqlState = server[.sqlState], !Self.isConnectionState(sqlState) {
            logger.error("PostgreSQL error \(sqlState): \(server[.message] ?? "")")
            return SafelistError(.internalError, code: ErrorCode.internalError, "The store failed: PostgreSQL error \(sqlState)")
        }
        var reason = error is DeadlineExceeded ? "no answer within \(options.timeout)" : Self.reason(error)
        var reachable = true
        if !reachedRecently.withLock({ $0.map { ContinuousClock.now - $0 < .seconds(1) } ?? false }) {
            do {
                try await probe(connectTimeout: .seconds(1))
                reachedRecently.withLock { $0 = .now }
            } catch {
                reason = location.explain(error)
                reachable = false
            }
        }
        logger.warning("PostgreSQL at \(location) failed a request: \(reason)")
        if !reachable {
            state.withLock { state in
                if case .starting = state { return }
                state = .outage(reason: reason, until: .now + .seconds(1))
            }
        }
        return SafelistError.unavailable("PostgreSQL at \(location.endpoint): \(reason)")
    }

    /// SQLSTATE classes that mean the connection or server, not the statement: 08 connection,
    /// 53 insufficient resources, 57 operator intervention (shutdown), 58 system error.
    static func isConnectionState(_ sqlState: String) -> Bool {
        ["08", "53", "57", "58"].contains(String(sqlState.prefix(2)))
    }

    /// A message an operator can act on. `PSQLError` hides everything in `description`.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        if error is DeadlineExceeded { return "no answer in time" }
        return "\(error)"
    }
}

public struct PostgresUnavailable: Error, CustomStringConvertible {
    public let location: PostgresLocation
    public let reason: String

    public var description: String { "cannot use PostgreSQL at \(location): \(reason)" }
}
