import Foundation
import SafelistCore
import SafelistTesting
import Testing

@testable import SafelistEngine

/// What compiling costs over time: a restart (or another node) reads compiled databases back
/// instead of compiling them again, a merge compiles only what its writes changed, and a
/// pattern that is costly to compile ends up in a shard of its own.
@Suite("Regex compilation: cached, proportional to what changed")
struct RegexCompilationTests {
    static func regexes(_ count: Int, prefix: String) throws -> [PolicyFields] {
        try (0..<count).map { try TestPolicy.email("(\(prefix)|x)[0-9]*@dept\($0)\\.example", regex: true).trustedSender.fields }
    }

    @Test(arguments: StoreKind.available)
    func aRestartReadsCompiledShardsBack(kind: StoreKind) async throws {
        try await kind.withStore { store in
            for fields in try Self.regexes(40, prefix: "ann") { _ = try await store.create(account: account, fields: fields) }
            let first = PolicyEngine(feed: store, cache: store)
            let before = try await first.snapshot(for: account)
            #expect(first.regexCompilation.compiledShards > 0)
            await first.compilationSettled()

            let restarted = PolicyEngine(feed: store, cache: store)
            let after = try await restarted.snapshot(for: account)
            #expect(restarted.regexCompilation.compiledShards == 0, "a restart compiled again")
            #expect(restarted.regexCompilation.readBackShards == first.regexCompilation.compiledShards)
            #expect(after.regexShardCount == before.regexShardCount)
            let probe = PreparedMessage(
                MailMessage(envelopeFrom: EmailSubject("ann7@dept3.example"), recipients: [EmailSubject("r@x.example")].compactMap { $0 }))
            #expect(after.evaluate(probe).trustedSender)
        }
    }

    @Test func aMergeCompilesOnlyTheBucketsItsWritesChanged() async throws {
        try await StoreKind.sqlite.withStore { store in
            // 100 regexes in 16 buckets of 8 at most (102 stay in 16: the count of buckets doubles
            // only past 128, and then every bucket changes once).
            for fields in try Self.regexes(100, prefix: "bob") { _ = try await store.create(account: account, fields: fields) }
            var options = EngineOptions()
            options.bucketSize = 8
            options.deltaShardLimit = 1
            let engine = PolicyEngine(feed: store, options: options)
            _ = try await engine.snapshot(for: account)
            let loaded = engine.regexCompilation
            #expect(loaded.compiledExpressions == 100 && loaded.compiledShards >= 12)

            for fields in try Self.regexes(2, prefix: "carol") {
                _ = try await store.create(account: account, fields: fields)
                try await engine.refresh(account: account)
            }
            for _ in 0..<200 where await engine.mergesCompleted(account: account) == 0 { try await Task.sleep(for: .milliseconds(25)) }
            #expect(await engine.mergesCompleted(account: account) > 0)
            let merged = engine.regexCompilation
            // The two writes' delta shards, then at most their two buckets (of about 8 each).
            #expect(
                merged.compiledExpressions - loaded.compiledExpressions <= 2 + 2 * 16,
                "a merge of 2 writes compiled \(merged.compiledExpressions - loaded.compiledExpressions) expressions")
        }
    }

    /// Ids made in one millisecond share their first bytes; buckets must still fill evenly.
    @Test func idsOfOneMillisecondSpreadOverTheBuckets() {
        for buckets in [16, 256] {
            var counts = [Int](repeating: 0, count: buckets)
            for _ in 0..<(buckets * 64) {
                counts[Int(truncatingIfNeeded: PolicyID.timeOrdered(milliseconds: 42).bucketHash) & (buckets - 1)] += 1
            }
            // 64 expected in each; a bucket with under 24 is a broken hash, not bad luck.
            #expect(counts.min() ?? 0 >= 24, "\(buckets) buckets: \(counts.min() ?? 0)...\(counts.max() ?? 0)")
        }
    }

    @Test func costlyPatternsEndUpInShardsOfTheirOwn() async throws {
        try await StoreKind.sqlite.withStore { store in
            for fields in try Self.regexes(12, prefix: "dave") { _ = try await store.create(account: account, fields: fields) }
            var options = EngineOptions()
            // Every pattern counts as costly here, and every shard as slow.
            options.costlyCompile = .zero
            options.slowShard = .zero
            options.deltaShardLimit = 1
            let engine = PolicyEngine(feed: store, options: options)
            let loaded = try await engine.snapshot(for: account)
            #expect(loaded.base.allShards.contains { $0.keys.count > 1 }, "the first load does not know the costs yet")
            await engine.compilationSettled()

            for fields in try Self.regexes(2, prefix: "erin") {
                _ = try await store.create(account: account, fields: fields)
                try await engine.refresh(account: account)
            }
            for _ in 0..<200 where await engine.mergesCompleted(account: account) == 0 { try await Task.sleep(for: .milliseconds(25)) }
            #expect(await engine.mergesCompleted(account: account) > 0)
            let merged = try await engine.snapshot(for: account)
            #expect(merged.base.allShards.allSatisfy { $0.keys.count == 1 }, "\(merged.base.allShards.map(\.keys.count))")
        }
    }

    @Test func aRestartReadsBackTheShardsOfCostlyPatternsFoundMeanwhile() async throws {
        try await StoreKind.sqlite.withStore { store in
            for fields in try Self.regexes(6, prefix: "fay") { _ = try await store.create(account: account, fields: fields) }
            var options = EngineOptions()
            options.costlyCompile = .zero
            options.slowShard = .zero
            let first = PolicyEngine(feed: store, options: options, cache: store)
            _ = try await first.snapshot(for: account)
            await first.compilationSettled()

            // Now known costly, each pattern is a shard of its own: the databases timed in the
            // background are those shards', so the restart compiles none of them.
            let restarted = PolicyEngine(feed: store, options: options, cache: store)
            let after = try await restarted.snapshot(for: account)
            #expect(after.base.allShards.count == 6 && after.base.allShards.allSatisfy { $0.keys.count == 1 })
            #expect(restarted.regexCompilation.compiledShards == 0, "a restart compiled \(restarted.regexCompilation.compiledShards) shards")
            #expect(restarted.regexCompilation.readBackShards == 6)
            let probe = PreparedMessage(
                MailMessage(envelopeFrom: EmailSubject("fay5@dept4.example"), recipients: [EmailSubject("r@x.example")].compactMap { $0 }))
            #expect(after.evaluate(probe).trustedSender)
        }
    }
}
