/// What a cache checks before it answers without the database: a value that changes whenever
/// what it holds may have changed, on this node or any other, read without a round trip.
public struct ChangeStamp: Equatable, Sendable {
    public var epoch: UInt64
    public var generation: Int64

    public init(epoch: UInt64, generation: Int64 = 0) {
        self.epoch = epoch
        self.generation = generation
    }
}

/// A store that can tell cheaply that nothing changed. Nil means it cannot tell now (a lost
/// change listener, a file it cannot read), and then callers go to the database.
public protocol ChangeStamps: Sendable {
    /// Changes whenever a token or user may have been written.
    func credentialsStamp() -> ChangeStamp?
    /// Changes whenever the account's policies may have been written.
    func policiesStamp(account: AccountID) -> ChangeStamp?
}
