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

    private struct State: Sendable {
        var waiting: [Pending] = []
        var committing = false
        /// While the loop gathers the next group: the writes it waits for, and its wake-up.
        var gathering: (id: Int, count: Int, wake: CheckedContinuation<Void, Never>)?
        var gatherings = 0
    }

    private let queue = Mutex(State())
    private let committed = Atomic<Int>(0)
    private let gatherLimit: Duration

    /// `gatherLimit`: how long the next group may wait for the writers of the last one to come
    /// back (see `commitGroups`).
    public init(gatherLimit: Duration = .milliseconds(1)) {
        self.gatherLimit = gatherLimit
    }

    /// Runs `body` in the next group's transaction and returns its value once that group has
    /// committed. The writer that starts a group commits it with its `commit`: every caller of
    /// one `GroupCommit` passes the same.
    public func submit<T: Sendable>(account: AccountID?, _ body: Body, commit: @escaping Commit) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let (leads, wake) = queue.withLock { queue in
                queue.waiting.append(Pending(write: Write(account: account, body: body), continuation: continuation))
                defer { queue.committing = true }
                var wake: CheckedContinuation<Void, Never>?
                if let gathering = queue.gathering, queue.waiting.count >= gathering.count {
                    wake = gathering.wake
                    queue.gathering = nil
                }
                return (!queue.committing, wake)
            }
            wake?.resume()
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
    /// Times a group waited for writers to come back, for tests.
    public var gatherWaits: Int { queue.withLock { $0.gatherings } }

    /// Commits groups until none is waiting. A commit's fixed cost (its transaction, the pages
    /// every write touches, the flush) is shared by its group, so larger groups cost less a
    /// write: 16 clients creating in a loop made groups of 7 or 8, the other half of the
    /// clients still on their way back, and 32 clients wrote 18 % more a second. So after a
    /// group, the next one waits for the writers just answered to come back, as many as the
    /// last group and those that waited behind it, for at most `gatherLimit`. A lone writer
    /// never waits, and when the writers do not come back in time (clients that write once,
    /// not in a loop), the next 16 groups do not wait.
    private func commitGroups(_ commit: Commit) async {
        var expected = 0, skipped = 0
        while true {
            if expected > 0, await !gather(expected) { skipped = Self.groupsWithoutGathering }
            var group: [Pending] = queue.withLock { queue in
                defer { queue.waiting.removeAll() }
                if queue.waiting.isEmpty { queue.committing = false }
                return queue.waiting
            }
            guard !group.isEmpty else { return }
            group = Self.ordered(group)
            let outcomes = await commit(group.map(\.write))
            committed.add(1, ordering: .relaxed)
            // Counted before the group's writers resume: one of them back already would be
            // counted twice, and the next group would wait for a writer that does not exist.
            let behind = queue.withLock { $0.waiting.count }
            for (index, pending) in group.enumerated() {
                let outcome = index < outcomes.count ? outcomes[index] : .failure(SafelistError.internalError("A grouped write has no outcome"))
                pending.continuation.resume(with: outcome)
            }
            if skipped > 0 {
                skipped -= 1
                expected = 0
            } else {
                expected = group.count + behind > 1 ? group.count + behind : 0
            }
        }
    }

    private static var groupsWithoutGathering: Int { 16 }

    /// Waits until `count` writes wait or `gatherLimit` has passed; whether they came.
    private func gather(_ count: Int) async -> Bool {
        await withCheckedContinuation { (wake: CheckedContinuation<Void, Never>) in
            let id: Int? = queue.withLock { queue in
                guard queue.waiting.count < count else { return nil }
                queue.gatherings += 1
                queue.gathering = (queue.gatherings, count, wake)
                return queue.gatherings
            }
            guard let id else { return wake.resume() }
            Task {
                try? await Task.sleep(for: gatherLimit)
                let late = queue.withLock { queue -> CheckedContinuation<Void, Never>? in
                    guard let gathering = queue.gathering, gathering.id == id else { return nil }
                    queue.gathering = nil
                    return gathering.wake
                }
                late?.resume()
            }
        }
        return queue.withLock { $0.waiting.count >= count }
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
