/// How the engine trades write latency against evaluation cost.
public struct EngineOptions: Sendable {
    /// Expressions per compiled Vectorscan database. Every shard of a group is one more scan
    /// per subject, so shards are large; a write never waits for one (it compiles into the
    /// delta), only background merges do.
    public var shardSize = 2048
    /// Policies the delta segment may hold before it is merged into the base in the background.
    public var deltaLimit = 4096
    /// Regex shards the delta may hold before a merge: each one is another scan per subject.
    public var deltaShardLimit = 4
    /// How often the engine asks the store for generations, in case a change signal was lost.
    public var pollInterval: Duration = .seconds(1)

    public init() {}
}
