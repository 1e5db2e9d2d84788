import Synchronization

/// This server's own policy commits, counted so that they can be told apart from everyone
/// else's in the WAL-index's commit counter (`WALChangeCounter`): the credentials stamp is that
/// counter less these commits, so a policy write no longer renews every cached credential,
/// while any other commit (a token revoked, here or by the CLI in another process) still does.
///
/// Each commit is registered with the counter value it will produce (the value read while the
/// transaction holds SQLite's write lock, plus one: no one else can commit meanwhile, and a
/// commit that keeps a change moves the counter by exactly one), before it becomes visible.
/// A reader that reads the counter and then this record subtracts only the commits at or below
/// the value it read: whichever side of a commit it reads, the difference is the same.
final class OwnPolicyCommits: Sendable {
    /// How many commits, and the values of the latest ones (increasing).
    private let state = Mutex<(count: UInt64, recent: [UInt64])>((0, []))
    private static let remembered = 64

    /// Runs `commit`, registered as the commit that moves the counter to `value`; withdrawn if
    /// it throws (before the write lock is let go, so no one else's commit can take the value).
    /// Without a value the commit is not counted, and the stamp moves.
    func counting<T>(at value: UInt64?, _ commit: () throws -> T) rethrows -> T {
        guard let value else { return try commit() }
        state.withLock { state in
            state.count += 1
            state.recent.append(value)
            if state.recent.count > Self.remembered { state.recent.removeFirst() }
        }
        do {
            return try commit()
        } catch {
            state.withLock { state in
                state.count -= 1
                if state.recent.last == value { state.recent.removeLast() }
            }
            throw error
        }
    }

    /// `counter` (read before this call) less the commits counted here that it includes; nil
    /// if more commits than are remembered happened since it was read.
    func others(_ counter: UInt64) -> UInt64? {
        state.withLock { state in
            let ahead = state.recent.reversed().prefix { $0 > counter }.count
            guard ahead < Self.remembered else { return nil }
            return counter &- (state.count - UInt64(ahead))
        }
    }
}
