import SafelistRegex
import ServiceLifecycle

/// Kills the regex workers when graceful shutdown reaches it: requests still compiling are
/// answered at once (503) instead of holding the shutdown until their budget runs out.
public struct RegexWorkersStopper: Service {
    let workers: RegexWorkers

    public init(workers: RegexWorkers) {
        self.workers = workers
    }

    public func run() async throws {
        try? await gracefulShutdown()
        workers.shutDown()
    }
}
