/// Turns off SQLite's memory statistics for the whole process. With them on (SQLite's default),
/// every allocation SQLite makes takes a global mutex to count it: a few percent of a create's
/// CPU on the writer (docs/benchmarks.md). Safelist reads no SQLite memory statistics. Must run
/// before SQLite is first used, on one thread (`sqlite3_config` is not thread-safe); afterwards
/// it changes nothing and returns SQLITE_MISUSE.
int safelist_sqlite_without_memory_statistics(void);
