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

    /// One IMMEDIATE transaction, run first without savepoints: writes rarely fail, and a
    /// savepoint costs two statements and a copy of every page the write touches into the
    /// statement journal. If a write fails with an error of its own (a validation error, a
    /// duplicate pattern), the transaction is rolled back and the group run again, each write in
    /// a savepoint, so that the failing one rolls back to it and fails alone. A failure of the
    /// database itself fails the whole group, none of it committed.
    private static func commit(_ group: [Write], on pool: DatabasePool, counting own: OwnPolicyCommits, in counter: WALChangeCounter?) async
        -> [Outcome]
    {
        do {
            return try await pool.writeWithoutTransaction { db in
                if let outcomes = try attempt(group, db, savepoints: false, counting: own, in: counter) { return outcomes }
                return try attempt(group, db, savepoints: true, counting: own, in: counter) ?? []
            }
        } catch let error as DatabaseError {
            return Array(repeating: .failure(SafelistError.unavailable(error.message ?? "\(error.resultCode)")), count: group.count)
        } catch {
            return Array(repeating: .failure(error), count: group.count)
        }
    }

    /// The group's outcomes; nil, rolled back, when a write of a group of several failed with an
    /// error of its own and there were no savepoints to fail it alone. A write alone needs none:
    /// the transaction is its savepoint.
    private static func attempt(
        _ group: [Write], _ db: Database, savepoints: Bool, counting own: OwnPolicyCommits, in counter: WALChangeCounter?
    ) throws -> [Outcome]? {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(group.count)
        try db.beginTransaction(.immediate)
        do {
            for write in group {
                do {
                    if savepoints {
                        var value: (any Sendable)?
                        try db.inSavepoint {
                            value = try write.body(db)
                            return .commit
                        }
                        outcomes.append(value.map { .success($0) } ?? .failure(SafelistError.internalError("A grouped write returned nothing")))
                    } else {
                        outcomes.append(.success(try write.body(db)))
                    }
                } catch let error as DatabaseError {
                    // The database itself failed: nothing of the group is kept.
                    throw error
                } catch {
                    guard savepoints || group.count == 1 else {
                        try db.rollback()
                        return nil
                    }
                    outcomes.append(.failure(error))
                }
            }
            // A write kept (each one at least advances its account's generation) makes the
            // commit move the WAL-index counter by exactly one. With none kept there is nothing
            // to commit, and a commit could still write the pages the failed writes touched and
            // restored: rolled back, it moves nothing.
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
}
