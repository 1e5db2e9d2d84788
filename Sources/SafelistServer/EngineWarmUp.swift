import Logging
import SafelistAPI
import SafelistCore
import SafelistEngine
import ServiceLifecycle
import Synchronization

/// Loads every account the store holds into the engine as the server starts, so that no first
/// evaluation pays for a load (seconds at a million policies), and tells `/readyz` how far it
/// got: a node behind a load balancer takes traffic once it answers at full speed. While the
/// store cannot be read (PostgreSQL not yet reachable), it tries again every second.
public final class EngineWarmUp: Service, Sendable {
    private enum Progress: Sendable {
        case starting
        case loading(done: Int, of: Int)
        case loaded(Int)
        case waiting(String)
    }

    private let engine: PolicyEngine
    private let directory: any AccountDirectory
    private let logger: Logger
    private let progress = Mutex(Progress.starting)

    public init(engine: PolicyEngine, directory: any AccountDirectory, logger: Logger) {
        self.engine = engine
        self.directory = directory
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.warmUp() }
        // A service that returns stops the server: this one waits for the shutdown instead.
        try? await gracefulShutdown()
    }

    private func warmUp() async {
        while !Task.isCancelled {
            do {
                let accounts = try await directory.writtenAccounts()
                for (index, account) in accounts.enumerated() {
                    progress.withLock { $0 = .loading(done: index, of: accounts.count) }
                    _ = try await engine.snapshot(for: account)
                }
                progress.withLock { $0 = .loaded(accounts.count) }
                logger.info("engine loaded", metadata: ["accounts": "\(accounts.count)"])
                return
            } catch is CancellationError {
                return
            } catch {
                progress.withLock { $0 = .waiting("\(error)") }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The store answers now (within two seconds), and the engine has loaded every account.
    public var readiness: Readiness {
        Readiness { [self] in
            let store: Readiness.Check
            do {
                let directory = self.directory
                let accounts = try await withDeadline(.seconds(2)) { try await directory.writtenAccounts() }
                store = .init(name: "store", ok: true, detail: "answers; \(accounts.count) accounts written")
            } catch {
                store = .init(name: "store", ok: false, detail: "\(error)")
            }
            let engine: Readiness.Check =
                switch self.progress.withLock({ $0 }) {
                case .starting: .init(name: "engine", ok: false, detail: "starting")
                case .loading(let done, let total): .init(name: "engine", ok: false, detail: "loading accounts: \(done) of \(total) loaded")
                case .loaded(let total): .init(name: "engine", ok: true, detail: "\(total) accounts loaded")
                case .waiting(let reason): .init(name: "engine", ok: false, detail: "waiting for the store: \(reason)")
                }
            return [store, engine]
        }
    }
}

/// The store did not answer within the probe's time.
struct ProbeTimedOut: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no answer within \(limit)" }
}

/// `body`'s value, or `ProbeTimedOut` once `limit` has passed: a probe must answer even when
/// the database hangs.
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw ProbeTimedOut(limit: limit) }
        return value
    }
}
