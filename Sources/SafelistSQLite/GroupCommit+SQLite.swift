import GRDB
import SafelistCore

/// A write as SQLite's group commit runs it: on the writer's connection, inside the group's
/// transaction.
typealias SQLiteWrite = @Sendable (Database) throws -> any Sendable

extension GroupCommit where Body == SQLiteWrite {
    /// Runs `body` in the next group's transaction on `pool`'s writer; its value once the group
    /// has committed.
    func write<T: Sendable>(account: AccountID? = nil, on pool: DatabasePool, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await submit(account: account, { db in try body(db) } as SQLiteWrite) { group in await Self.commit(group, on: pool) }
    }

    /// One IMMEDIATE transaction. A write that fails (a validation error, a duplicate pattern)
    /// rolls back to its savepoint and fails alone; a failure of the database itself fails the
    /// whole group, none of it committed.
    private static func commit(_ group: [Write], on pool: DatabasePool) async -> [Outcome] {
        do {
            return try await pool.writeWithoutTransaction { db in
                var outcomes: [Outcome] = []
                outcomes.reserveCapacity(group.count)
                try db.inTransaction(.immediate) {
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
                    return .commit
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
