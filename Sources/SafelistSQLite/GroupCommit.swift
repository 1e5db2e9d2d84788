import GRDB
import SafelistCore
import Synchronization

/// Group commit: writes that arrive while a group is committing wait, then commit together, in
/// one transaction and one `fdatasync`, each in a savepoint of its own. A write that fails
/// (a validation error, a duplicate pattern) rolls back to its savepoint and fails alone; a
/// failure of the database itself fails the whole group, none of it committed. Each write's
/// caller resumes only after the group's commit returned, so an acknowledged write is exactly
/// as durable as before; under concurrent writers there are far fewer commits, and with
/// `synchronous = FULL` a commit is what costs (docs/benchmarks.md, "HTTP").
final class GroupCommit: Sendable {
    private struct Pending: @unchecked Sendable {
        let body: (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    /// An error or a value, carried out of the database closure.
    private enum Outcome: @unchecked Sendable {
        case value(any Sendable)
        case failure(any Error)
    }

    private let queue = Mutex<(waiting: [Pending], committing: Bool)>(([], false))
    private let pool: DatabasePool

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in the next group's transaction and returns its value once that group has
    /// committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let leads = queue.withLock { queue in
                queue.waiting.append(Pending(body: { try body($0) }, continuation: continuation))
                defer { queue.committing = true }
                return !queue.committing
            }
            // The first writer to find no group committing starts the loop that commits
            // groups until none is waiting; everyone else joins the next group.
            if leads { Task { await self.commitGroups() } }
        }
        guard let typed = value as? T else { throw SafelistError.internalError("A grouped write returned the wrong type") }
        return typed
    }

    /// Writes waiting for the next group, for tests.
    var waiting: Int { queue.withLock { $0.waiting.count } }

    private func commitGroups() async {
        while true {
            let group: [Pending] = queue.withLock { queue in
                defer { queue.waiting.removeAll() }
                if queue.waiting.isEmpty { queue.committing = false }
                return queue.waiting
            }
            guard !group.isEmpty else { return }
            let outcomes: [Outcome]
            do {
                outcomes = try await pool.writeWithoutTransaction { db in
                    var outcomes: [Outcome] = []
                    outcomes.reserveCapacity(group.count)
                    try db.inTransaction(.immediate) {
                        for pending in group {
                            do {
                                var value: (any Sendable)?
                                try db.inSavepoint {
                                    value = try pending.body(db)
                                    return .commit
                                }
                                outcomes.append(value.map(Outcome.value) ?? .failure(SafelistError.internalError("no value")))
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
                outcomes = Array(repeating: .failure(SafelistError.unavailable(error.message ?? "\(error.resultCode)")), count: group.count)
            } catch {
                outcomes = Array(repeating: .failure(error), count: group.count)
            }
            for (pending, outcome) in zip(group, outcomes) {
                switch outcome {
                case .value(let value): pending.continuation.resume(returning: value)
                case .failure(let error): pending.continuation.resume(throwing: error)
                }
            }
        }
    }
}
