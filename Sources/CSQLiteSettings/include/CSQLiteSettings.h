/// Turns off SQLite's memory statistics for the whole process. With them on (SQLite's default),
/// every allocation SQLite makes takes a global mutex to count it: a few percent of a create's
/// CPU on the writer (docs/benchmarks.md). Safelist reads no SQLite memory statistics. Must run
/// before SQLite is first used, on one thread (`sqlite3_config` is not thread-safe); afterwards
/// it changes nothing and returns SQLITE_MISUSE.
int safelist_sqlite_without_memory_statistics(void);

/// Makes SQLite allocate through a cache of freed blocks per thread and size class, in front
/// of the system's malloc (thread_cached_malloc.c). Same rules as above: before SQLite is first
/// used, on one thread; SQLITE_MISUSE afterwards, and SQLite keeps its allocator.
int safelist_sqlite_thread_cached_malloc(void);

/// The name of the VFS `safelist_sqlite_register_buffered_wal` registers.
#define SAFELIST_BUFFERED_WAL_VFS "safelist-buffered-wal"
/// The file control `safelist_sqlite_buffer_wal` sends the main database file.
#define SAFELIST_FCNTL_BUFFER_WAL 0x5afe0001

struct sqlite3;

/// Registers, once, a VFS over the default one that gathers a write transaction's WAL writes
/// into one `pwrite` (buffered_wal.c), and makes it the default for connections opened from
/// then on. SQLITE_OK when it is registered.
int safelist_sqlite_register_buffered_wal(void);

/// Asks `db`'s WAL writes to be gathered (`on` nonzero) or written as they come. Only for a
/// connection that syncs its WAL at every commit (synchronous = FULL): the gathered writes are
/// written out at that sync. SQLITE_NOTFOUND when `db` was not opened through the VFS.
int safelist_sqlite_buffer_wal(struct sqlite3 *db, int on);

/// Whether `db`'s WAL writes are gathered (1) or not (0).
int safelist_sqlite_buffers_wal(struct sqlite3 *db);
