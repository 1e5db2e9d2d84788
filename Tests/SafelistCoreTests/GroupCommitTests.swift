import SafelistCore
import Synchronization
import Testing

/// Group commit gathers the writers of the last group before it commits the next one, and a
/// writer alone never waits for anyone.
@Suite("Group commit")
struct GroupCommitTests {
    /// A commit that takes `flush` (a disk's flush) and answers each write with its body.
    private static func commit(flush: Duration) -> GroupCommit<Int>.Commit {
        { group in
            try? await Task.sleep(for: flush)
            return group.map { .success($0.body) }
        }
    }

    /// Eight clients writing in a loop: after the first group, each group waits for the writers
    /// just answered, so groups hold all eight. Without gathering they alternated: the first
    /// writer back committed alone while the others came back behind it.
    @Test func writersWritingInALoopShareEachCommit() async throws {
        let groups = GroupCommit<Int>(gatherLimit: .seconds(30))
        let commit = Self.commit(flush: .milliseconds(2))
        let clients = 8, rounds = 10
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for client in 0..<clients {
                tasks.addTask {
                    for round in 0..<rounds {
                        let value: Int = try await groups.submit(account: nil, client * 100 + round, commit: commit)
                        #expect(value == client * 100 + round)
                    }
                }
            }
            try await tasks.waitForAll()
        }
        #expect(groups.groupsCommitted <= rounds + 2, "\(groups.groupsCommitted) groups for \(clients * rounds) writes")
    }

    /// A client writing alone, one write after another, never waits for a writer that is not
    /// there.
    @Test func aLoneWriterNeverWaits() async throws {
        let groups = GroupCommit<Int>(gatherLimit: .seconds(10))
        let commit = Self.commit(flush: .milliseconds(1))
        for index in 0..<20 {
            let value: Int = try await groups.submit(account: nil, index, commit: commit)
            #expect(value == index)
        }
        #expect(groups.gatherWaits == 0, "a lone writer waited")
        #expect(groups.groupsCommitted == 20)
    }

    /// Writers that do not come back cost the next group one gather limit, then groups stop
    /// waiting for a while.
    @Test(.timeLimit(.minutes(1))) func writersThatDoNotComeBackAreWaitedForOnce() async throws {
        let groups = GroupCommit<Int>(gatherLimit: .milliseconds(200))
        let commit = Self.commit(flush: .milliseconds(1))
        // Two writers together: the next group waits for both to come back.
        async let first: Int = groups.submit(account: nil, 1, commit: commit)
        async let second: Int = groups.submit(account: nil, 2, commit: commit)
        #expect(try await first + second == 3)
        // Only one comes back: its group starts when the limit has passed, then the next ones at once.
        let start = ContinuousClock.now
        let third: Int = try await groups.submit(account: nil, 3, commit: commit)
        #expect(third == 3)
        let waited = ContinuousClock.now - start
        #expect(waited < .seconds(20), "waited \(waited)")
        #expect(groups.gatherWaits == 1)
    }
}
