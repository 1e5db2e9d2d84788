import Foundation
import SafelistCore
import SafelistEngine
import SafelistTesting
import Synchronization
import Testing

/// What accounts cost the engine: nothing for an account without policies, nothing for an
/// account not used lately, and an idle node asks its store nothing.
@Suite("Engine memory: accounts in use only")
struct EngineMemoryTests {
    static func accountID(_ number: Int) -> AccountID {
        AccountID(String(format: "%032x", number)) ?? account
    }

    @Test func anAccountNeverWrittenKeepsNothing() async throws {
        try await StoreKind.sqlite.withStore { store in
            let engine = PolicyEngine(feed: store)
            for number in 0..<500 {
                let evaluation = try await engine.evaluate(account: Self.accountID(number), messages: [PreparedMessage(message(from: "a@b.example"))])
                #expect(evaluation[0].matches.isEmpty)
            }
            #expect(engine.loadedAccounts == 0)
        }
    }

    @Test func idleAccountsAreDroppedAndLoadAgainOnUse() async throws {
        try await StoreKind.sqlite.withStore { store in
            for number in 0..<20 {
                _ = try await store.create(account: Self.accountID(number), fields: TestPolicy.email("ann@example.com").trustedSender.fields)
            }
            var options = EngineOptions()
            options.pollInterval = .milliseconds(20)
            options.idleEviction = .seconds(2)
            let engine = PolicyEngine(feed: store, options: options)
            let follower = Task { await engine.follow() }
            defer { follower.cancel() }
            let probe = PreparedMessage(message(from: "ann@example.com"))
            for number in 0..<20 { #expect(try await engine.evaluate(account: Self.accountID(number), messages: [probe])[0].trustedSender) }
            #expect(engine.loadedAccounts > 0)
            let dropped = WeakSnapshot(try await engine.snapshot(for: Self.accountID(5)))
            for _ in 0..<300 where engine.loadedAccounts > 0 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(engine.loadedAccounts == 0)
            #expect(dropped.snapshot == nil, "a dropped account's snapshot is still held")
            #expect(try await engine.evaluate(account: Self.accountID(3), messages: [probe])[0].trustedSender)
            #expect(engine.loadedAccounts == 1)
        }
    }

    @Test func theFollowerAsksOnlyAboutLoadedAccounts() async throws {
        try await StoreKind.sqlite.withStore { store in
            for number in 0..<50 {
                _ = try await store.create(account: Self.accountID(number), fields: TestPolicy.email("ann@example.com").trustedSender.fields)
            }
            let counting = CountingFeed(store)
            var options = EngineOptions()
            options.pollInterval = .milliseconds(20)
            let engine = PolicyEngine(feed: counting, options: options)
            let follower = Task { await engine.follow() }
            defer { follower.cancel() }
            try await Task.sleep(for: .milliseconds(200))
            #expect(counting.asked.withLock { $0 } == [], "an idle engine asked its store")
            _ = try await engine.evaluate(account: Self.accountID(7), messages: [PreparedMessage(message(from: "x@y.example"))])
            try await Task.sleep(for: .milliseconds(200))
            let asked = counting.asked.withLock { $0 }
            #expect(!asked.isEmpty && asked.allSatisfy { $0 == [Self.accountID(7)] }, "\(asked.prefix(3))")
        }
    }
}

/// Whether a snapshot is still held anywhere once the engine dropped its account.
final class WeakSnapshot {
    weak var snapshot: MatcherSnapshot?

    init(_ snapshot: MatcherSnapshot) {
        self.snapshot = snapshot
    }
}

/// A feed that records which accounts each generations poll asked about.
final class CountingFeed: PolicyChangeFeed {
    let store: any PolicyChangeFeed
    let asked = Mutex<[[AccountID]]>([])

    init(_ store: any PolicyChangeFeed) {
        self.store = store
    }

    func generations(of accounts: [AccountID]) async throws -> [AccountID: Int64] {
        asked.withLock { $0.append(accounts) }
        return try await store.generations(of: accounts)
    }

    func changes(account: AccountID, after generation: Int64) async throws -> PolicyChanges {
        try await store.changes(account: account, after: generation)
    }

    func changeSignals() -> AsyncStream<ChangeSignal> { store.changeSignals() }
}
