import GRDB

/// A large load with the file to itself writes the database directly. Through the WAL, every
/// page of a million-row import (1.1 GB) was written twice, once to the WAL and once more by
/// the checkpoint, and the WAL-index hashed each: 4–6 s of a 23–25 s import. A rollback
/// journal holds only the pages the file had before the transaction, so a load that appends
/// to a new or small database journals almost nothing, and a crash still undoes it whole.
///
/// SQLite changes the journal mode only when no other connection, in any process, has the
/// file open: a server running on it keeps the load in the WAL, where its readers keep their
/// snapshots. Taken only with `Options.bulkLoadsOutsideWAL` (the one-shot commands).
extension SQLiteStore {
    /// Whether the file left WAL mode: false when another connection has it open.
    func leaveWAL() async -> Bool {
        // This store's own idle readers hold the file open too.
        pool.releaseMemory()
        let mode = try? await pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
        return mode?.lowercased() == "delete"
    }

    /// Back to WAL mode, which every reader of the pool and every server expects. Should this
    /// fail, the load is still committed, and the next store to open the file (`DatabasePool`
    /// sets WAL mode on open) puts it back.
    func returnToWAL() async {
        _ = try? await pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
    }
}
