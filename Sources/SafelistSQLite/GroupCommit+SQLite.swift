import GRDB
import SafelistCore

/// A write as SQLite's group commit runs it: on the writer's connection, inside the group's
/// transaction.
typealias SQLiteWrite = @Sendable (Database) throws -> any Sendable

extension GroupCommit where Body == SQLiteWrite {
    /// Runs `body` in the next group's transaction on `pool`'s writer; its value once the group
    /// has committed. Each commit that keeps a write is counted in `own`, at the value it moves
    /// `counter` to.
    func write<T: Sendable>(
        account: AccountID? = nil, on pool: DatabasePool, counting own: OwnPolicyCommits, in counter: WALChangeCounter?,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await submit(account: account, { db in try body(db) } as SQLiteWrite) { group in
            await Self.commit(group, on: pool, counting: own, in: counter)
        }
    }

    /// One IMMEDIATE transaction. A write that fails (a validation error, a duplicate pattern)
    /// rolls back to its savepoint and fails alone; a failure of the database itself fails the
    /// whole group, none of it committed.
    private static func commit(_ group: [Write], on pool: DatabasePool, counting own: OwnPolicyCommits, in counter: WALChangeCounter?) async
        -> [Outcome]
    {
        do {
            return try await pool.writeWithoutTransaction { db in
                var outcomes: [Outcome] = []
                outcomes.reserveCapacity(group.count)
                try db.beginTransaction(.immediate)
                do {
                    for write in group {
                        do {
                            var value: (any Sendable)?
                            try db.inSavepoint {
                                value = try write.body(db)
                                return .commit
                            }
                            outcomes.append(value.map { .success($0) } ?? .failure(SafelistError.internalError("A grouped write returned nothing")))
                        } catch let error as DatabaseError {
                            // The database itself failed: nothing of the group is kept.
                            throw error
                        } catch {
                            outcomes.append(.failure(error))
                        }
                    }
                    // A write kept (each one at least advances its account's generation) makes
                    // the commit move the WAL-index counter by exactly one. With none kept there
                    // is nothing to commit, and a commit could still write the pages the failed
                    // writes touched and restored: rolled back, it moves nothing.
                    if outcomes.contains(where: { if case .success = $0 { true } else { false } }) {
                        try own.counting(at: counter?.current().map { $0 &+ 1 }) { try db.commit() }
                    } else {
                        try db.rollback()
                    }
                } catch {
                    try? db.rollback()
                    throw error
                }
                return outcomes
            }
        } catch let error as DatabaseError {
            return Array(repeating: .failure(SafelistError.unavailable(error.message ?? "\(error.resultCode)")), count: group.count)
        } catch {
            return Array(repeating: .failure(error), count: group.count)
        }
    }
}
