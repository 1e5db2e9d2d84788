import Logging
import SafelistCore
import ServiceLifecycle

/// Keeps the audit trail to its retention: at start, then every `interval`, it removes the
/// entries older than `retention`, a few thousand a transaction so that writes interleave.
/// While the store cannot be written (PostgreSQL down), a pass fails and the next one retries.
public struct AuditPruner: Service {
    let log: any AuditLog
    let retention: Duration
    let interval: Duration
    let logger: Logger
    /// Returns once the store can be written (PostgreSQL connected and migrated), so that the
    /// first pass does not fail while the database is still coming up.
    let ready: @Sendable () async throws -> Void
    static let batch = 5000

    public init(
        log: any AuditLog, retention: Duration, interval: Duration = .seconds(3600), logger: Logger,
        ready: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.log = log
        self.retention = retention
        self.interval = interval
        self.logger = logger
        self.ready = ready
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            do { try await ready() } catch { return }
            while !Task.isCancelled {
                await pass()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func pass() async {
        let (seconds, attoseconds) = retention.components
        let cutoff = Timestamp(microseconds: Timestamp.now().microseconds - seconds * 1_000_000 - attoseconds / 1_000_000_000_000)
        var removed = 0
        do {
            while !Task.isCancelled {
                let count = try await log.pruneAudit(olderThan: cutoff, limit: Self.batch)
                removed += count
                if count < Self.batch { break }
            }
            if removed > 0 { logger.info("audit trail pruned", metadata: ["entries": "\(removed)", "before": "\(cutoff.rfc3339)"]) }
        } catch {
            logger.warning("audit trail not pruned; retrying at the next pass", metadata: ["error": "\(error)"])
        }
    }
}
