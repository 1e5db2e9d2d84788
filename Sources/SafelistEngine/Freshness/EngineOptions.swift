import SafelistCore

/// How the engine trades write latency against evaluation cost, and what it verifies senders with.
public struct EngineOptions: Sendable {
    /// Expressions per compiled Vectorscan database in a delta. Every shard of a group is one
    /// more scan per subject, so shards are large; a write never waits for one (it compiles
    /// into the delta), only background merges do.
    public var shardSize = 2048
    /// Expressions per bucket of a base segment (`ShardPlan.Layout.canonical`): a merge
    /// compiles the buckets its writes changed, so this bounds a merge's work, while each
    /// bucket is one more scan per subject.
    public var bucketSize = 1024
    /// A pattern whose compilation alone takes this long is a shard of its own in a base, so
    /// that a change to its neighbours never compiles it again.
    public var costlyCompile: Duration = .milliseconds(50)
    /// A shard of several patterns that takes this long to compile has its patterns timed one
    /// by one, in the background, to find the costly ones.
    public var slowShard: Duration = .milliseconds(250)
    /// Policies the delta segment may hold before it is merged into the base in the background,
    /// at least: see `deltaBaseDivisor`.
    public var deltaLimit = 4096
    /// The delta may also grow to the base's size divided by this before a merge. A merge
    /// rebuilds the whole base, so with a fixed limit its cost per write grew with the base: a
    /// million-policy base merged every 4,096 writes is 244 policies built per write, and
    /// merges then run back to back. With the limit a share of the base, a write pays for at
    /// most this many policies of merging, however large the base. Evaluation does not slow
    /// with a larger delta: its tables are hashed, and its regex shards are capped by
    /// `deltaShardLimit`.
    public var deltaBaseDivisor = 4
    /// Policies the tail may hold before it is folded into the delta, at least: a write rebuilds
    /// the tail and, once per fold, the delta. A larger delta lets the tail grow further
    /// (`foldThreshold`), so that the delta is rebuilt less often.
    public var tailLimit = 64
    /// Policies the freshest layer may hold before they join the tail. A catch-up (one write, or
    /// a group committed together) rebuilds only this layer; the tail is rebuilt once per this
    /// many writes. 128 rather than 32: a group of 16 creates then rebuilds 4 fresh policies a
    /// write on average, and the tail and delta about half of what they did at 32 (√(2D/F) a
    /// write; docs/benchmarks.md, "Layers read in place, a fresh layer of 128").
    public var freshLimit = 128
    /// Regexes the freshest layer may hold before they join the tail. A catch-up keeps the
    /// layer's compiled shards, but a shard that lost a pattern (an edit, a delete) is compiled
    /// anew with the rest of the layer's regexes: this bounds that compile as the 32 policies
    /// the layer held before did.
    public var freshRegexLimit = 32
    /// Regex shards the delta and the tail may hold before a merge: each one is another scan per subject.
    public var deltaShardLimit = 4
    /// How long each background build (a fold, a merge) waits before it starts: zero but in
    /// tests, which use it to land writes while one runs.
    public var backgroundBuildDelay: Duration = .zero
    /// How often the engine asks the store for generations, in case a change signal was lost.
    public var pollInterval: Duration = .seconds(1)
    /// An account not evaluated for this long is dropped from memory; its next use loads it.
    public var idleEviction: Duration = .seconds(600)
    /// Organizational domains for sender verification. The system's list by default; the
    /// server reads the one it is configured with, and refuses to start without it.
    public var publicSuffixes = PublicSuffixList.system

    public init() {}

    /// The tail size at which it folds into a delta of `delta` policies. Between folds, a write
    /// pays for a rebuild of the tail every `freshLimit` writes (T / 2F policies a write, T
    /// this threshold) and for its share of the fold (D / T); their sum is least at
    /// T = √(2·F·D). At a delta of 2,500 and F = 32 that is 400, and a write rebuilds 12.5
    /// policies of tail and delta on average, against 18 when the tail folded at a sixteenth of
    /// the delta; at a delta of 250,000 (a million-policy base), 125 against 260. At F = 128 it
    /// is 800 and 8,000, and half those rebuilds.
    public func foldThreshold(delta: Int) -> Int {
        max(tailLimit, Int(Double(2 * freshLimit * delta).squareRoot()))
    }
}
