import ArgumentParser
import Foundation
import Logging
import SafelistSQLite
import SafelistServer

/// `--database` and its tuning, shared by every subcommand; each flag falls back to its
/// environment variable. Opening is `StoreConfiguration`'s, the same for the server and the
/// one-shot commands.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "A SQLite file, or postgres://user:password@host:port/database[?sslmode=disable|prefer|require] (env SAFELIST_DATABASE; default ./safelist.sqlite)."
    )
    var database: String?

    @Option(name: .long, help: "SQLite synchronous mode: full or normal (env SAFELIST_SQLITE_SYNCHRONOUS; default full).")
    var sqliteSynchronous: String?

    @Option(name: .long, help: "PostgreSQL connections this node opens at most (env SAFELIST_DATABASE_POOL_SIZE; default 10).")
    var databasePoolSize: Int?

    @Option(name: .long, help: "Seconds a request waits for PostgreSQL before a 503 (env SAFELIST_DATABASE_TIMEOUT; default 5).")
    var databaseTimeout: Double?

    func configuration() throws -> StoreConfiguration {
        var configuration = StoreConfiguration()
        configuration.location = database ?? Environment.value("SAFELIST_DATABASE") ?? configuration.location
        if let size = try databasePoolSize ?? Environment.integer("SAFELIST_DATABASE_POOL_SIZE") {
            guard size >= 1 else { throw ValidationError("--database-pool-size must be at least 1") }
            configuration.postgresPoolSize = size
        }
        if let seconds = try databaseTimeout ?? Environment.double("SAFELIST_DATABASE_TIMEOUT") {
            guard seconds > 0 else { throw ValidationError("--database-timeout must be positive") }
            configuration.postgresTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let mode = sqliteSynchronous ?? Environment.value("SAFELIST_SQLITE_SYNCHRONOUS") {
            guard let parsed = SQLiteStore.Options.Synchronous(rawValue: mode.uppercased()) else {
                throw ValidationError("--sqlite-synchronous must be full or normal, not '\(mode)'")
            }
            configuration.sqliteSynchronous = parsed
        }
        return configuration
    }

    /// For the one-shot commands: opens the store, runs `body`, closes it. PostgreSQL is tried
    /// once; a command fails with the reason rather than waiting for the database. A SQLite file
    /// that does not exist is not created: the command fails, naming the path.
    /// `longRunning`: one statement may take minutes (an import's transaction), so PostgreSQL's
    /// per-request timeout is an hour unless `--database-timeout` says otherwise.
    func withStore<T: Sendable>(longRunning: Bool = false, _ body: @escaping @Sendable (any SafelistStore) async throws -> T) async throws -> T {
        var logger = Logger(label: "safelist")
        logger.logLevel = .critical
        var configuration = try configuration()
        // A command is its process's only user of the store: a large import may write the
        // SQLite file outside the WAL when no server has it open.
        configuration.sqliteBulkLoadsOutsideWAL = true
        if longRunning, databaseTimeout == nil, Environment.value("SAFELIST_DATABASE_TIMEOUT") == nil {
            configuration.postgresTimeout = .seconds(3600)
        }
        // A StoreConfigurationError says what is wrong and what to do; printed as it is, with no usage text.
        let opened = try configuration.open(logger: logger, creating: false)
        guard let postgres = opened.postgres else { return try await body(opened.store) }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await postgres.run(); return nil
            }
            do {
                try await postgres.waitUntilReady(retrying: false)
            } catch {
                group.cancelAll()
                throw error
            }
            let value = try await body(opened.store)
            group.cancelAll()
            return value
        }
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    static func integer(_ name: String) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else { throw ValidationError("\(name) must be an integer, not '\(text)'") }
        return number
    }

    static func double(_ name: String) throws -> Double? {
        guard let text = value(name) else { return nil }
        guard let number = Double(text) else { throw ValidationError("\(name) must be a number, not '\(text)'") }
        return number
    }
}
