/// What the engine follows to stay fresh: every committed write to an account's policies
/// advances that account's generation and records the ids it touched. Generations of one
/// account commit in order, so reading "everything after generation g" never skips a write,
/// whichever node made it; a follower that missed signals (a reconnect, a restart) catches up by
/// asking from the last generation it applied.
public protocol PolicyChangeFeed: Sendable {
    /// The current generation of each of `accounts`; accounts never written are absent.
    func generations(of accounts: [AccountID]) async throws -> [AccountID: Int64]

    /// The current state of every policy written after `generation`, read in one snapshot
    /// together with the generation it brings the follower to.
    func changes(account: AccountID, after generation: Int64) async throws -> PolicyChanges

    /// A stream of hints that an account changed. Hints may be merged or repeated; `.everything`
    /// follows a gap (a lost connection) after which a follower should ask every account it holds.
    func changeSignals() -> AsyncStream<ChangeSignal>
}

public struct PolicyChanges: Sendable, Equatable {
    /// The account's generation this answer brings a follower to.
    public var generation: Int64
    /// Created or modified since the asked generation, in their current state.
    public var upserted: [AllowPolicy]
    /// Deleted since the asked generation.
    public var deleted: [PolicyID]

    public init(generation: Int64, upserted: [AllowPolicy], deleted: [PolicyID]) {
        self.generation = generation
        self.upserted = upserted
        self.deleted = deleted
    }
}

public enum ChangeSignal: Sendable, Equatable {
    case account(AccountID, generation: Int64)
    case everything
}
