import Foundation
import Logging
import SafelistCore
import SafelistPostgres
import SafelistSQLite

public typealias AnyStore = PolicyStore & CredentialStore & PolicyChangeFeed & CompiledRegexCache & AccountDirectory & AuditLog & PolicyBulkLoader

/// The backends the shared suites run on: SQLite always, PostgreSQL when a test database is
/// configured (`SAFELIST_TEST_POSTGRES_URL`; `scripts/test` starts a private cluster and sets it).
public enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    public static var available: [StoreKind] {
        PostgresTestDatabase.isConfigured ? allCases : [.sqlite]
    }

    public var description: String { rawValue }

    /// A fresh, empty store: a new SQLite file, or a new PostgreSQL database.
    public func open() async throws -> OpenStore {
        switch self {
        case .sqlite:
            let directory = try temporaryDirectory("safelist-store")
            var options = SQLiteStore.Options()
            options.synchronous = .normal
            let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path, options: options)
            return OpenStore(store: store, location: store.path, cleanup: { try? FileManager.default.removeItem(at: directory) })
        case .postgres:
            let location = try await PostgresTestDatabase.create()
            return try await OpenStore.postgres(location)
        }
    }

    /// Opens a fresh store, runs `body`, closes it.
    public func withStore<T: Sendable>(_ body: (any AnyStore) async throws -> T) async throws -> T {
        let opened = try await open()
        do {
            let value = try await body(opened.store)
            await opened.close()
            return value
        } catch {
            await opened.close()
            throw error
        }
    }
}

/// A store and what closes it: a PostgreSQL store's pool and listener run in a task until then.
public final class OpenStore: Sendable {
    public let store: any AnyStore
    /// The SQLite path or the PostgreSQL URL, for starting a server on the same database.
    public let location: String
    public let postgres: PostgresStore?
    private let task: Task<Void, Never>?
    private let cleanup: @Sendable () -> Void

    init(
        store: any AnyStore, location: String, postgres: PostgresStore? = nil, task: Task<Void, Never>? = nil,
        cleanup: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.location = location
        self.postgres = postgres
        self.task = task
        self.cleanup = cleanup
    }

    /// Another store object over the same PostgreSQL database: a second node.
    public static func postgres(_ url: String, timeout: Duration = .seconds(10), rebuildIndexesFrom: Int = 20_000) async throws -> OpenStore {
        var options = PostgresStore.Options()
        options.poolSize = 4
        options.timeout = timeout
        options.rebuildIndexesFrom = rebuildIndexesFrom
        var logger = Logger(label: "safelist-test-postgres")
        logger.logLevel = .critical
        let store = try PostgresStore(location: PostgresLocation(url: url), options: options, logger: logger)
        let task = Task { await store.run() }
        do {
            try await store.waitUntilReady(retrying: false)
        } catch {
            task.cancel()
            throw error
        }
        return OpenStore(store: store, location: url, postgres: store, task: task)
    }

    /// Another store object over the same database, as a second node (or process) would open it.
    public func secondNode() async throws -> OpenStore {
        if postgres != nil { return try await OpenStore.postgres(location) }
        var options = SQLiteStore.Options()
        options.synchronous = .normal
        return OpenStore(store: try SQLiteStore(path: location, options: options), location: location)
    }

    /// The page by plain `OFFSET`, never seeking: the reference for the seek path.
    public func offsetList(account: AccountID, query: ListQuery) async throws -> ListPage {
        if let postgres { return try await postgres.list(account: account, query: query, seeking: false) }
        guard let sqlite = store as? SQLiteStore else { throw PostgresUnavailableForTests() }
        return try await sqlite.list(account: account, query: query, seeking: false)
    }

    /// Loads policies in one transaction, as imports and benchmarks do.
    public func bulkInsert(_ policies: [AllowPolicy]) async throws {
        if let postgres { return try await postgres.insert(policies) }
        guard let sqlite = store as? SQLiteStore else { throw PostgresUnavailableForTests() }
        try await sqlite.insert(policies)
    }

    /// Pages served by seeking so far.
    public var seekHits: Int {
        postgres?.seekHits ?? (store as? SQLiteStore)?.seekHits ?? 0
    }

    public func close() async {
        task?.cancel()
        await task?.value
        cleanup()
    }
}
