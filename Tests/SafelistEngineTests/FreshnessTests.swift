import Foundation
import SafelistCore
import SafelistEngine
import SafelistTesting
import Synchronization
import Testing

/// What a write does to the engine: applied before it is acknowledged on this node, within a
/// second on the others, each write (a batch included) as one step, merges invisible.
@Suite("Engine freshness")
struct FreshnessTests {
    let probe = message(from: "ann@example.com", to: ["ceo@corp.example"])

    @Test(arguments: StoreKind.available)
    func createThenDeleteIsSeenByTheNextEvaluation(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let engine = PolicyEngine(feed: store)
            #expect(try await engine.evaluate(account: account, messages: [probe])[0].matches.isEmpty)
            let literal = try await store.create(account: account, fields: TestPolicy.email("ann@example.com").trustedSender.fields)
            try await engine.refresh(account: account)
            #expect(try await engine.evaluate(account: account, messages: [probe])[0].trustedSender)

            let regex = try await store.create(account: account, fields: TestPolicy.email("ceo@corp\\..*", regex: true).exemptRecipient.fields)
            try await engine.refresh(account: account)
            #expect(try await engine.evaluate(account: account, messages: [probe])[0].exemptRecipients == [0])

            try await store.delete(account: account, id: literal.id)
            try await engine.refresh(account: account)
            let afterDelete = try await engine.evaluate(account: account, messages: [probe])[0]
            #expect(!afterDelete.trustedSender && afterDelete.exemptRecipients == [0])

            try await store.delete(account: account, id: regex.id)
            try await engine.refresh(account: account)
            #expect(try await engine.evaluate(account: account, messages: [probe])[0].matches.isEmpty)
        }
    }

    /// Writers that refresh at once share the catch-ups queued behind a slow one, and each
    /// still sees its own write as soon as its refresh returns.
    @Test(arguments: StoreKind.available)
    func concurrentRefreshesShareQueuedCatchUpsAndEachSeesItsWrite(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let feed = SlowFeed(store)
            let engine = PolicyEngine(feed: feed)
            _ = try await store.create(account: account, fields: TestPolicy.email("first@example.com").trustedSender.fields)
            #expect(try await engine.evaluate(account: account, messages: [probe])[0].matches.isEmpty)
            feed.delay.withLock { $0 = .milliseconds(300) }
            let readsBefore = feed.reads.withLock { $0 }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let sender = "writer\(index)@example.com"
                        _ = try await store.create(account: account, fields: TestPolicy.email(sender).trustedSender.fields)
                        try await engine.refresh(account: account)
                        let seen = try await engine.evaluate(account: account, messages: [message(from: sender, to: ["x@corp.example"])])
                        #expect(seen[0].trustedSender, "\(sender) sees its own write")
                    }
                }
                try await group.waitForAll()
            }
            let reads = feed.reads.withLock { $0 } - readsBefore
            #expect(reads < 12, "queued catch-ups are shared (\(reads) reads of the feed for 12 refreshes)")
        }
    }

    @Test(arguments: StoreKind.available)
    func anEditMovesTheMatch(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let engine = PolicyEngine(feed: store)
            let policy = try await store.create(account: account, fields: TestPolicy.domain("example.com").trustedSender.fields)
            _ = try await engine.snapshot(for: account)
            _ = try await store.edit(account: account, id: policy.id, edit: PolicyEdit(pattern: "other.example"))
            try await engine.refresh(account: account)
            let results = try await engine.evaluate(account: account, messages: [probe, message(from: "x@other.example")])
            #expect(results[0].matches.isEmpty)
            #expect(results[1].trustedSender)
        }
    }

    /// A batch of 50 exemptions arrives in one write; evaluations running throughout see none
    /// of them or all of them, never a part.
    @Test(arguments: StoreKind.available)
    func aBatchAppliesAsOneStep(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let engine = PolicyEngine(feed: store)
            let recipients = (0..<50).map { "user\($0)@corp.example" }
            let message = message(to: recipients)
            _ = try await engine.snapshot(for: account)
            let seen = try await withThrowingTaskGroup(of: Set<Int>.self) { group in
                group.addTask {
                    var counts = Set<Int>()
                    for _ in 0..<400 {
                        counts.insert(try await engine.evaluate(account: account, messages: [message])[0].exemptRecipients.count)
                        await Task.yield()
                    }
                    return counts
                }
                group.addTask {
                    var batch = BatchRequest()
                    for (index, recipient) in recipients.enumerated() {
                        let policy =
                            index.isMultiple(of: 2)
                            ? TestPolicy.email(recipient) : TestPolicy.email(recipient.replacingOccurrences(of: ".", with: "\\."), regex: true)
                        batch.posts.append(BatchRequest.Post(fields: try policy.exemptRecipient.fields))
                    }
                    _ = try await store.write(account: account, request: batch)
                    try await engine.refresh(account: account)
                    return []
                }
                return try await group.reduce(into: Set<Int>()) { $0.formUnion($1) }
            }
            #expect(seen.isSubset(of: [0, 50]), "\(seen)")
            #expect(try await engine.evaluate(account: account, messages: [message])[0].exemptRecipients.count == 50)
        }
    }

    /// A second node (another store object over the same database) follows the first's writes
    /// without being told: change signals on PostgreSQL, the generation poll on SQLite. The
    /// bound here is loose because this process shares two cores with every suite running in
    /// parallel (seen: 2.3 s under that load); the spec's one second is held by the two real
    /// server processes of PostgresServerTests.twoNodesOverOneDatabase.
    @Test(arguments: StoreKind.available)
    func anotherNodeSeesAWriteWithinOneSecond(kind: StoreKind) async throws {
        let first = try await kind.open()
        let second = try await first.secondNode()
        var options = EngineOptions()
        options.pollInterval = .milliseconds(200)
        let follower = PolicyEngine(feed: second.store, options: options)
        let following = Task { await follower.follow() }
        _ = try await follower.snapshot(for: account)
        let clock = ContinuousClock()
        let written = clock.now
        _ = try await first.store.create(account: account, fields: TestPolicy.email("ann@example.com").trustedSender.fields)
        var seenAfter: Duration?
        while clock.now - written < .seconds(6) {
            if try await follower.evaluate(account: account, messages: [probe])[0].trustedSender {
                seenAfter = clock.now - written
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        following.cancel()
        await following.value
        await second.close()
        await first.close()
        let delay = try #require(seenAfter, "the second node never saw the write")
        #expect(delay < .seconds(5), "seen after \(delay)")
    }

    /// Writes keep coming while the delta is merged into the base in the background; afterwards
    /// (and throughout) every evaluation agrees with the store.
    @Test(arguments: StoreKind.available)
    func mergesKeepEveryWrite(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var options = EngineOptions()
            options.deltaLimit = 6
            options.deltaShardLimit = 2
            options.shardSize = 8
            let engine = PolicyEngine(feed: store, options: options)
            _ = try await engine.snapshot(for: account)
            var live: [String: PolicyID] = [:]
            for round in 0..<60 {
                let address = "user\(round)@corp.example"
                let regex = round.isMultiple(of: 3)
                let policy = regex ? TestPolicy.email(address.replacingOccurrences(of: ".", with: "\\."), regex: true) : TestPolicy.email(address)
                live[address] = try await store.create(account: account, fields: policy.exemptRecipient.fields).id
                if round.isMultiple(of: 4), let (victim, id) = live.first(where: { $0.key != address }) {
                    try await store.delete(account: account, id: id)
                    live[victim] = nil
                }
                try await engine.refresh(account: account)
                try await expectAgreement(engine, live: Set(live.keys), rounds: round + 1)
            }
            // Let the last merges finish, then check once more.
            for _ in 0..<100 where await engine.mergesCompleted(account: account) < 3 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(await engine.mergesCompleted(account: account) >= 3)
            try await engine.refresh(account: account)
            try await expectAgreement(engine, live: Set(live.keys), rounds: 60)
        }
    }

    /// The tail folds where a write's share of tail and delta rebuilds is least, √(2·F·D),
    /// and never below `tailLimit`.
    @Test func theTailFoldsAtTheSquareRootThreshold() {
        let options = EngineOptions()
        #expect(options.foldThreshold(delta: 0) == options.tailLimit)
        #expect(options.foldThreshold(delta: 2_500) == 800)
        #expect(options.foldThreshold(delta: 250_000) == 8_000)
        // Around the threshold, a write's rebuilds (T / 2F + D / T) cost more on either side.
        func cost(_ tail: Double, delta: Double) -> Double { tail / Double(2 * options.freshLimit) + delta / tail }
        for delta in [2_500.0, 40_000, 250_000] {
            let best = Double(options.foldThreshold(delta: Int(delta)))
            #expect(cost(best, delta: delta) < cost(best / 2, delta: delta) && cost(best, delta: delta) < cost(best * 2, delta: delta))
        }
    }

    /// A write rebuilds only the fresh layer; every `freshLimit` writes it joins the tail, and
    /// when the tail passes `foldThreshold` both are folded into the delta. Updates and deletes of
    /// policies in the base, the delta, the tail and the fresh layer all take effect, whichever
    /// layer holds the older form.
    @Test(arguments: StoreKind.available)
    func writesGoToTheTailAndFoldIntoTheDelta(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var options = EngineOptions()
            options.tailLimit = 3
            options.freshLimit = 1
            options.deltaLimit = 1000
            let engine = PolicyEngine(feed: store, options: options)
            var live: [String: PolicyID] = [:]
            for round in 0..<4 {
                let address = "user\(round)@corp.example"
                live[address] = try await store.create(account: account, fields: TestPolicy.email(address).exemptRecipient.fields).id
            }
            #expect(try await engine.snapshot(for: account).layerSizes == [4, 0, 0, 0])
            var sizes: [[Int]] = []
            for round in 4..<12 {
                let address = "user\(round)@corp.example"
                live[address] = try await store.create(account: account, fields: TestPolicy.email(address).exemptRecipient.fields).id
                // Every other round also moves an older policy to another address, in place.
                if round.isMultiple(of: 2), let (old, id) = live.first(where: { $0.key != address && !$0.key.contains("+moved") }) {
                    let moved = old.replacingOccurrences(of: "@", with: "+moved@")
                    _ = try await store.edit(account: account, id: id, edit: PolicyEdit(pattern: moved))
                    live[old] = nil
                    live[moved] = id
                }
                if round == 9, let (victim, id) = live.first(where: { $0.key != address }) {
                    try await store.delete(account: account, id: id)
                    live[victim] = nil
                }
                try await engine.refresh(account: account)
                // A fold runs in the background: the layers are sized once it is done.
                for _ in 0..<500 where await engine.buildsPending(account: account) { try await Task.sleep(for: .milliseconds(10)) }
                sizes.append(try await engine.snapshot(for: account).layerSizes)
                try await expectAgreement(engine, live: Set(live.keys), rounds: round + 1, moved: true)
            }
            // The base is never rebuilt; the delta only when the tail passes its threshold (in the
            // background), the tail only when the fresh layer passes one.
            #expect(sizes.allSatisfy { $0[0] == 4 })
            // The threshold counts the delta's writes, and the one deleted policy is not in its size.
            #expect(sizes.allSatisfy { $0[2] <= options.foldThreshold(delta: $0[1] + 1) && $0[3] <= 1 }, "\(sizes)")
            let deltaSizes = sizes.map { $0[1] }, tailSizes = sizes.map { $0[2] }
            #expect(Set(deltaSizes).count >= 2 && Set(deltaSizes).count < sizes.count, "delta sizes \(deltaSizes)")
            #expect(Set(tailSizes).count >= 2, "tail sizes \(tailSizes)")
        }
    }

    /// The fresh layer joins the tail when it passes `freshLimit` policies or
    /// `freshRegexLimit` regexes, whichever comes first: literals fill it, regexes only a few.
    @Test(arguments: StoreKind.available)
    func theFreshLayerHoldsManyLiteralsAndFewRegexes(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var options = EngineOptions()
            options.freshLimit = 6
            options.freshRegexLimit = 2
            options.tailLimit = 1000
            options.deltaLimit = 1000
            let engine = PolicyEngine(feed: store, options: options)
            var live: Set<String> = ["base@corp.example"]
            _ = try await store.create(account: account, fields: TestPolicy.email("base@corp.example").exemptRecipient.fields)
            #expect(try await engine.snapshot(for: account).layerSizes == [1, 0, 0, 0])
            func write(_ address: String, regex: Bool) async throws -> [Int] {
                let pattern = regex ? address.replacingOccurrences(of: ".", with: "\\.") : address
                _ = try await store.create(account: account, fields: TestPolicy.email(pattern, regex: regex).exemptRecipient.fields)
                live.insert(address)
                try await engine.refresh(account: account)
                return try await engine.snapshot(for: account).layerSizes
            }
            #expect(try await write("a@corp.example", regex: false) == [1, 0, 0, 1])
            #expect(try await write("b@corp.example", regex: true) == [1, 0, 0, 2])
            #expect(try await write("c@corp.example", regex: true) == [1, 0, 0, 3])
            // A third regex is one more than the layer may hold: all four writes join the tail.
            #expect(try await write("d@corp.example", regex: true) == [1, 0, 4, 0])
            for (index, letter) in ["e", "f", "g", "h", "i", "j"].enumerated() {
                #expect(try await write("\(letter)@corp.example", regex: false) == [1, 0, 4, index + 1])
            }
            // Six literals fill it; the seventh policy joins them to the tail.
            #expect(try await write("k@corp.example", regex: false) == [1, 0, 11, 0])
            let everyone = live.sorted() + ["z@corp.example"]
            let evaluation = try await engine.evaluate(account: account, messages: [message(to: everyone)])[0]
            #expect(Set(evaluation.exemptRecipients.map { everyone[$0] }) == live)
        }
    }

    /// Folds and merges run in the background while writes go on: writes that land while one
    /// runs (in the fresh layer, in the tail, moving or deleting policies it captured) are
    /// kept when it completes.
    @Test(arguments: StoreKind.available)
    func writesDuringBackgroundBuildsAreKept(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var options = EngineOptions()
            options.tailLimit = 3
            options.freshLimit = 1
            options.deltaLimit = 12
            options.backgroundBuildDelay = .milliseconds(30)
            let engine = PolicyEngine(feed: store, options: options)
            var live: [String: PolicyID] = [:]
            live["user0@corp.example"] = try await store.create(
                account: account, fields: TestPolicy.email("user0@corp.example").exemptRecipient.fields
            ).id
            _ = try await engine.snapshot(for: account)
            var sawPending = false
            for round in 1..<60 {
                let address = "user\(round)@corp.example"
                live[address] = try await store.create(account: account, fields: TestPolicy.email(address).exemptRecipient.fields).id
                if round.isMultiple(of: 3), let (old, id) = live.first(where: { $0.key != address && !$0.key.contains("+moved") }) {
                    let moved = old.replacingOccurrences(of: "@", with: "+moved@")
                    _ = try await store.edit(account: account, id: id, edit: PolicyEdit(pattern: moved))
                    live[old] = nil
                    live[moved] = id
                }
                if round.isMultiple(of: 7), let (victim, id) = live.first(where: { $0.key != address }) {
                    try await store.delete(account: account, id: id)
                    live[victim] = nil
                }
                try await engine.refresh(account: account)
                if await engine.buildsPending(account: account) { sawPending = true }
                try await expectAgreement(engine, live: Set(live.keys), rounds: round + 1, moved: true)
                if round.isMultiple(of: 5) { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(sawPending, "no write landed while a build ran")
            for _ in 0..<500 where await engine.buildsPending(account: account) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await engine.mergesCompleted(account: account) >= 1)
            try await engine.refresh(account: account)
            try await expectAgreement(engine, live: Set(live.keys), rounds: 60, moved: true)
        }
    }

    /// A write through `EngineAppliedStore` is applied from the store's own answer: no read of
    /// the feed while every generation since the snapshot is one of this node's writes; a write
    /// made elsewhere leaves a gap, and the next catch-up reads the feed, and sees both.
    @Test(arguments: StoreKind.available)
    func ownWritesApplyWithoutReadingTheFeedBack(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let feed = SlowFeed(store)
            let engine = PolicyEngine(feed: feed)
            let applied = EngineAppliedStore(store: store, engine: engine)
            var live: [String: PolicyID] = [:]
            // Loaded (an account never written is not kept), with its first policy.
            live["user0@corp.example"] = try await store.create(
                account: account, fields: TestPolicy.email("user0@corp.example").exemptRecipient.fields
            ).id
            _ = try await engine.snapshot(for: account)
            let loadReads = feed.reads.withLock { $0 }
            for round in 1..<8 {
                let address = "user\(round)@corp.example"
                live[address] = try await applied.create(account: account, fields: TestPolicy.email(address).exemptRecipient.fields).id
                if round == 3, let id = live["user0@corp.example"] {
                    _ = try await applied.edit(account: account, id: id, edit: PolicyEdit(pattern: "user0+moved@corp.example"))
                    live["user0@corp.example"] = nil
                    live["user0+moved@corp.example"] = id
                }
                if round == 5, let id = live["user1@corp.example"] {
                    try await applied.delete(account: account, id: id)
                    live["user1@corp.example"] = nil
                }
                try await expectAgreement(engine, live: Set(live.keys), rounds: round + 1, moved: true)
            }
            #expect(feed.reads.withLock { $0 } == loadReads, "own writes were read back")

            // Another node's write, then one of ours: a gap, so one read, and both are seen.
            live["user8@corp.example"] = try await store.create(
                account: account, fields: TestPolicy.email("user8@corp.example").exemptRecipient.fields
            ).id
            live["user9@corp.example"] = try await applied.create(
                account: account, fields: TestPolicy.email("user9@corp.example").exemptRecipient.fields
            ).id
            try await expectAgreement(engine, live: Set(live.keys), rounds: 10, moved: true)
            #expect(feed.reads.withLock { $0 } == loadReads + 1)

            // Writes committed together, in whatever order their callers come back.
            let addresses = (10..<30).map { "user\($0)@corp.example" }
            try await withThrowingTaskGroup(of: (String, PolicyID).self) { group in
                for address in addresses {
                    group.addTask {
                        (address, try await applied.create(account: account, fields: TestPolicy.email(address).exemptRecipient.fields).id)
                    }
                }
                for try await (address, id) in group { live[address] = id }
            }
            try await expectAgreement(engine, live: Set(live.keys), rounds: 30, moved: true)
        }
    }

    /// Every address written so far (and, with `moved`, each one's `+moved` form, where an edit
    /// may have put it) is exempt exactly when `live` holds it.
    private func expectAgreement(_ engine: PolicyEngine, live: Set<String>, rounds: Int, moved: Bool = false) async throws {
        let everyone = (0..<rounds).flatMap { ["user\($0)@corp.example"] + (moved ? ["user\($0)+moved@corp.example"] : []) }
        let evaluation = try await engine.evaluate(account: account, messages: [message(to: everyone)])[0]
        let exempt = Set(evaluation.exemptRecipients.map { everyone[$0] })
        #expect(exempt == live, "after \(rounds) rounds")
    }
}

/// A feed whose change reads take `delay`, counted: catch-ups queue up behind a slow one.
final class SlowFeed: PolicyChangeFeed {
    let store: any PolicyChangeFeed
    let delay = Mutex<Duration>(.zero)
    let reads = Mutex(0)

    init(_ store: any PolicyChangeFeed) {
        self.store = store
    }

    func generations(of accounts: [AccountID]) async throws -> [AccountID: Int64] {
        try await store.generations(of: accounts)
    }

    func changes(account: AccountID, after generation: Int64) async throws -> PolicyChanges {
        reads.withLock { $0 += 1 }
        let delay = delay.withLock { $0 }
        if delay > .zero { try await Task.sleep(for: delay) }
        return try await store.changes(account: account, after: generation)
    }

    func changeSignals() -> AsyncStream<ChangeSignal> { store.changeSignals() }
}
