import Synchronization

/// Group commit, whatever the database: writes that arrive while a group is committing wait,
/// then are handed to `commit` together, which runs them in one transaction and one flush to
/// disk, each in a savepoint of its own, and says how each one ended. Each write's caller
/// resumes only after its group's commit returned, so an acknowledged write is exactly as
/// durable as before; under concurrent writers there are far fewer commits, and a commit is
/// what a durable write costs (docs/benchmarks.md, "HTTP").
///
/// `Body` is one write as the store runs it (a closure over its connection); `commit` runs a
/// group and returns one outcome per write, in the group's order. A group is in the
/// order the writes arrived, except that writes naming an account are sorted by it: two nodes
/// committing groups over the same accounts then take the accounts' write locks in the same
/// order and never deadlock.
public final class GroupCommit<Body: Sendable>: Sendable {
    public typealias Outcome = Result<any Sendable, any Error>

    public struct Write: Sendable {
        public let account: AccountID?
        public let body: Body
    }

    private struct Pending: Sendable {
        let write: Write
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    public typealias Commit = @Sendable ([Write]) async -> [Outcome]

    private let queue = Mutex<(waiting: [Pending], committing: Bool)>(([], false))
    private let committed = Atomic<Int>(0)

    public init() {}

    /// Runs `body` in the next group's transaction and returns its value once that group has
    /// committed. The writer that starts a group commits it with its `commit`: every caller of
    /// one `GroupCommit` passes the same.
    public func submit<T: Sendable>(account: AccountID?, _ body: Body, commit: @escaping Commit) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let leads = queue.withLock { queue in
                queue.waiting.append(Pending(write: Write(account: account, body: body), continuation: continuation))
                defer { queue.committing = true }
                return !queue.committing
            }
            // The first writer to find no group committing starts the loop that commits
            // groups until none is waiting; everyone else joins the next group.
            if leads { Task { await self.commitGroups(commit) } }
        }
        guard let typed = value as? T else { throw SafelistError.internalError("A grouped write returned the wrong type") }
        return typed
    }

    /// Writes waiting for the next group, for tests.
    public var waiting: Int { queue.withLock { $0.waiting.count } }
    /// Groups handed to a commit so far, for tests.
    public var groupsCommitted: Int { committed.load(ordering: .relaxed) }

    private func commitGroups(_ commit: Commit) async {
        while true {
            var group: [Pending] = queue.withLock { queue in
                defer { queue.waiting.removeAll() }
                if queue.waiting.isEmpty { queue.committing = false }
                return queue.waiting
            }
            guard !group.isEmpty else { return }
            group = Self.ordered(group)
            let outcomes = await commit(group.map(\.write))
            committed.add(1, ordering: .relaxed)
            for (index, pending) in group.enumerated() {
                let outcome = index < outcomes.count ? outcomes[index] : .failure(SafelistError.internalError("A grouped write has no outcome"))
                pending.continuation.resume(with: outcome)
            }
        }
    }

    /// Arrival order, with the writes that name an account sorted by it (stable).
    private static func ordered(_ group: [Pending]) -> [Pending] {
        // Usually already in order: one account (equality is a byte compare), or none named.
        guard group.count > 1, let first = group.first, !group.allSatisfy({ $0.write.account == first.write.account }),
            zip(group, group.dropFirst()).contains(where: { Self.account($0) > Self.account($1) })
        else { return group }
        return group.enumerated().sorted { left, right in
            let a = account(left.element), b = account(right.element)
            return a != b ? a < b : left.offset < right.offset
        }.map(\.element)
    }

    private static func account(_ pending: Pending) -> String { pending.write.account?.rawValue ?? "" }
}
