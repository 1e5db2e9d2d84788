import Foundation
import Logging
import SafelistCore
import SafelistPostgres
import SafelistSQLite

/// Every store the server and the commands can open, and the one place they are opened. A
/// path opens the embedded SQLite store; a `postgres://` URL the shared PostgreSQL store.
public struct StoreConfiguration: Sendable {
    public var location = "./safelist.sqlite"
    public var sqliteSynchronous = SQLiteStore.Options.Synchronous.full
    /// `SQLiteStore.Options.bulkLoadsOutsideWAL`: for a command that owns its process, never a server.
    public var sqliteBulkLoadsOutsideWAL = false
    public var postgresPoolSize = 10
    public var postgresTimeout: Duration = .seconds(5)

    public init() {}

    /// `creating`: whether a SQLite file that does not exist is created, as the server does. The
    /// commands that only read or manage credentials pass false: run from the wrong directory or
    /// with a typo in `--database`, they would otherwise answer from a new, empty database (no
    /// policy matches; a token is minted that the server never sees).
    public func open(logger: Logger, creating: Bool = true) throws -> OpenedStore {
        if PostgresLocation.isPostgresURL(location) {
            let url: PostgresLocation
            do { url = try PostgresLocation(url: location) } catch { throw StoreConfigurationError("--database: \(error)") }
            var options = PostgresStore.Options()
            options.poolSize = postgresPoolSize
            options.timeout = postgresTimeout
            let store = try PostgresStore(location: url, options: options, logger: logger)
            return OpenedStore(store: store, postgres: store, description: url.description)
        }
        if location.contains("://") {
            throw StoreConfigurationError("--database takes a SQLite file path or a postgres:// URL, not '\(location)'")
        }
        if !creating, !FileManager.default.fileExists(atPath: location) {
            let absolute = URL(fileURLWithPath: location).standardizedFileURL.path
            throw StoreConfigurationError(
                "no Safelist database at \(absolute); start the server once (safelist serve --database \(location)) or pass --database")
        }
        var options = SQLiteStore.Options()
        options.synchronous = sqliteSynchronous
        options.bulkLoadsOutsideWAL = sqliteBulkLoadsOutsideWAL
        do {
            let store = try SQLiteStore(path: location, options: options)
            return OpenedStore(store: store, postgres: nil, description: store.path)
        } catch let error as SQLiteOpenError {
            throw StoreConfigurationError("--database: \(error)")
        }
    }
}

public struct StoreConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Everything a store is to the server: policies, credentials and the change feed.
public typealias SafelistStore = PolicyStore & CredentialStore & PolicyChangeFeed & CompiledRegexCache & AccountDirectory & AuditLog
    & PolicyBulkLoader

public struct OpenedStore: Sendable {
    public let store: any SafelistStore
    /// Set when the store is PostgreSQL: its pool runs as a service of the application.
    public let postgres: PostgresStore?
    public let description: String
}
