import CSQLiteSettings
import Foundation
import GRDB
import GRDBSQLite
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
        /// A large load takes the file out of WAL mode for its transaction when no other
        /// connection has it open (`SQLiteStore+LoadOutsideWAL.swift`). For the one-shot
        /// commands, which own their process: the store then reads no WAL-index (`commits`).
        public var bulkLoadsOutsideWAL = false

        public enum Synchronous: String, Sendable { case full = "FULL", normal = "NORMAL" }

        public init() {}
    }

    let pool: DatabasePool
    public let path: String
    let options: Options
    /// Ends of recent list pages, so sequential paging seeks instead of skipping.
    let boundaries = PageBoundaryCache()
    let hub = ChangeSignalHub()
    /// Commits by anyone, for caches (`ChangeStamps`); nil when the WAL-index cannot be read.
    let commits: WALChangeCounter?
    /// Policy writes, committed together when they arrive together.
    let groups: GroupCommit<SQLiteWrite>
    /// Those commits, counted: what the credentials stamp leaves out.
    let ownPolicyCommits = OwnPolicyCommits()

    public init(path: String, options: Options = Options()) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.label = "safelist"
        // Statement journals (what undoes one statement, or one savepoint, inside a
        // transaction) in memory: on disk, SQLite made, wrote and unlinked a file in /var/tmp
        // for every write.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        self.path = path
        self.options = options
        try Self.createPrivately(path)
        groups = GroupCommit()
        SQLiteProcessSettings.settle()
        _ = Self.bufferedWAL
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Set on the writer after the pool is open: `DatabasePool` puts its writer in WAL mode
            // after `prepareDatabase` runs, and that sets `synchronous = NORMAL`. Readers never
            // commit, so the writer's setting is the one that decides durability.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(options.synchronous.rawValue)")
                // A checkpoint every 4,000 WAL pages (16 MB at 4 KiB) instead of SQLite's 1,000:
                // a page written by many commits in between is copied to the database once, and
                // the checkpoint's own syncs come a quarter as often (docs/benchmarks.md).
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointPages)")
                // A commit under FULL syncs its WAL before it publishes its frames: they can wait
                // for that sync in memory, and go out as one write (`buffered_wal.c`).
                if options.synchronous == .full, Self.bufferedWAL == SQLITE_OK {
                    _ = safelist_sqlite_buffer_wal(db.sqliteConnection, 1)
                }
            }
            try Self.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw SQLiteOpenError.opening(path, error)
        }
        // Leaving WAL mode deletes the `-shm` file the counter holds open: it would read a stale
        // count from then on, and caches trusting it would miss other processes' writes.
        commits = options.bulkLoadsOutsideWAL ? nil : WALChangeCounter(databasePath: path)
    }

    /// WAL pages after which a commit checkpoints (see `init`).
    static let checkpointPages = 4000

    /// The VFS every connection opened from then on goes through: registered before the first
    /// store opens its pool.
    private static let bufferedWAL = safelist_sqlite_register_buffered_wal()

    /// Whether the writer gathers its WAL writes until each commit's sync (`buffered_wal.c`).
    func writerBuffersWAL() async throws -> Bool {
        try await pool.writeWithoutTransaction { db in safelist_sqlite_buffers_wal(db.sqliteConnection) == 1 }
    }

    /// SQLite's own check of the file's structure: `["ok"]`, or what it found wrong.
    func integrityCheck() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// A setting of the writer connection, as it runs (`synchronous`: 2 is FULL, 1 NORMAL).
    func writerSetting(_ pragma: String) async throws -> Int {
        try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA \(pragma)") ?? -1 }
    }

    /// A new database file readable by its owner only; SQLite gives its `-wal` and `-shm` files
    /// the database file's mode. An existing file keeps the mode its owner gave it.
    private static func createPrivately(_ path: String) throws {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            close(descriptor)
        } else if errno != EEXIST {
            throw SQLiteOpenError.creating(path, errno: errno)
        }
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
