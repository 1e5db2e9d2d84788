import Foundation
import GRDB
import SafelistCore

/// The embedded store: one SQLite file in WAL mode, shared by the server and the CLI (a busy
/// timeout lets both write the same file). Every request does one `read` or `write`, so each is
/// one transaction and one hop to GRDB's queues.
public final class SQLiteStore: Sendable {
    public struct Options: Sendable {
        /// `FULL` (the default) makes every acknowledged write survive power loss, not only a
        /// crash of the process; `NORMAL` survives `kill -9` and commits faster.
        public var synchronous: Synchronous = .full
        public var busyTimeout: TimeInterval = 10

        public enum Synchronous: String, Sendable { case full = "FULL", normal = "NORMAL" }

        public init() {}
    }

    let pool: DatabasePool
    public let path: String
    /// Ends of recent list pages, so sequential paging seeks instead of skipping.
    let boundaries = PageBoundaryCache()
    let hub = ChangeSignalHub()

    public init(path: String, options: Options = Options()) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.label = "safelist"
        let synchronous = options.synchronous.rawValue
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// Runs a read, turning database failures into the API's "store unavailable".
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw SafelistError.unavailable(error.message ?? "\(error.resultCode)")
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw SafelistError.unavailable(error.message ?? "\(error.resultCode)")
        }
    }
}
