import CSQLiteSettings
import GRDBSQLite

/// SQLite's settings for the whole process: its allocator (a cache of freed blocks per thread,
/// `thread_cached_malloc.c`) and no memory statistics (`settings.c`). SQLite takes them only
/// before it is first used, so they are settled before any store opens a connection, and by
/// the executable first thing, while no other thread runs.
public enum SQLiteProcessSettings {
    /// Settles the settings, once; later calls do nothing.
    public static func settle() { _ = settled }

    /// Whether SQLite took the allocator (it was not in use yet when this first ran).
    static var allocatorInstalled: Bool { settled }

    private static let settled: Bool = {
        let allocator = safelist_sqlite_thread_cached_malloc()
        _ = safelist_sqlite_without_memory_statistics()
        return allocator == SQLITE_OK
    }()

    /// What SQLite's allocator gives a request of `bytes`: its size class, or `bytes` past the
    /// largest class (`sqlite3_msize`). For tests.
    static func allocatedSize(_ bytes: Int32) -> Int64 {
        guard let block = sqlite3_malloc(bytes) else { return -1 }
        defer { sqlite3_free(block) }
        return Int64(sqlite3_msize(block))
    }
}
