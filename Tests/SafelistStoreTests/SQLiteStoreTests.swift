import Foundation
import SafelistCore
import SafelistTesting
import Synchronization
import Testing

@testable import SafelistSQLite

@Suite("SQLite specifics: reopening, migrations, index use")
struct SQLiteStoreTests {
    func temporaryPath() throws -> String {
        try temporaryDirectory("safelist-sqlite").appendingPathComponent("s.sqlite").path
    }

    /// `full` is what the writer connection runs with, not only what was asked for: GRDB's
    /// pool sets `synchronous = NORMAL` when it puts the writer in WAL mode.
    @Test func theWriterRunsWithTheSynchronousModeAsked() async throws {
        #expect(try await SQLiteStore(path: temporaryPath()).writerSetting("synchronous") == 2)
        var options = SQLiteStore.Options()
        options.synchronous = .normal
        #expect(try await SQLiteStore(path: temporaryPath(), options: options).writerSetting("synchronous") == 1)
    }

    /// The writer checkpoints every `checkpointPages` WAL pages, not SQLite's 1,000.
    @Test func theWriterCheckpointsLessOften() async throws {
        #expect(try await SQLiteStore(path: temporaryPath()).writerSetting("wal_autocheckpoint") == SQLiteStore.checkpointPages)
    }

    /// Statement journals stay in memory: on disk, every write made and unlinked a file.
    @Test func statementJournalsStayInMemory() async throws {
        #expect(try await SQLiteStore(path: temporaryPath()).writerSetting("temp_store") == 2)
    }

    /// Writes that arrive while a group commits share the next commit (`GroupCommit`); a write
    /// that fails (here, a duplicate pattern) fails alone and the others land.
    @Test func writesArrivingTogetherShareACommitAndFailAlone() async throws {
        let store = try SQLiteStore(path: try temporaryPath())
        _ = try await store.create(account: account, fields: fields("taken@example.com"))
        let commitsBefore = try #require(store.commits?.current())
        // A group held open until all twenty writes below wait behind it.
        let release = DispatchSemaphore(value: 0)
        let started = Mutex(false)
        async let held: Void = store.groups.write(on: store.pool, counting: store.ownPolicyCommits, in: store.commits) { _ in
            started.withLock { $0 = true }
            release.wait()
        }
        for _ in 0..<6000 where !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        let patterns = (0..<20).map { $0 % 5 == 4 ? "taken@example.com" : "w\($0)@example.com" }
        async let outcomes = withTaskGroup(of: (String, Bool).self) { group in
            for pattern in patterns {
                group.addTask {
                    do {
                        _ = try await store.create(account: account, fields: fields(pattern))
                        return (pattern, true)
                    } catch {
                        return (pattern, false)
                    }
                }
            }
            return await Array(group)
        }
        for _ in 0..<6000 where store.groups.waiting < patterns.count { try await Task.sleep(for: .milliseconds(10)) }
        #expect(store.groups.waiting == patterns.count)
        release.signal()
        try await held
        for (pattern, landed) in await outcomes { #expect(landed == (pattern != "taken@example.com"), "\(pattern)") }
        let page = try await store.list(account: account, query: ListQuery())
        #expect(page.totalCount == 1 + 16)
        let commits = try #require(store.commits?.current()) - commitsBefore
        #expect(commits <= 2, "20 writes queued behind one group commit together, not one by one (\(commits) commits)")
    }

    /// The credentials stamp leaves out this store's own policy commits, and only those: a
    /// credential change here, and any commit by another connection (another process), renew it.
    @Test func ownPolicyWritesLeaveTheCredentialsStampAlone() async throws {
        let path = try temporaryPath()
        let store = try SQLiteStore(path: path)
        let other = try SQLiteStore(path: path)
        _ = try await CredentialIssuer(store: store).issueToken(name: "first", permission: .read, scope: .all)
        let start = try #require(store.credentialsStamp())
        for index in 0..<5 { _ = try await store.create(account: account, fields: fields("own\(index)@example.com")) }
        #expect(store.credentialsStamp() == start, "own policy writes")
        // A write that fails alone commits nothing of its own.
        await #expect(throws: SafelistError.self) { try await store.create(account: account, fields: fields("own0@example.com")) }
        #expect(store.credentialsStamp() == start, "own policy writes")
        #expect(store.policiesStamp(account: account) != nil)

        _ = try await other.create(account: account, fields: fields("theirs@example.com"))
        let afterOther = try #require(store.credentialsStamp())
        #expect(afterOther != start, "another connection's commit renews it")

        let issued = try await CredentialIssuer(store: store).issueToken(name: "second", permission: .read, scope: .all)
        let afterToken = try #require(store.credentialsStamp())
        #expect(afterToken != afterOther, "a credential written here renews it")
        #expect(try await other.revokeToken(id: issued.token.id, at: .now()))
        #expect(store.credentialsStamp() != afterToken, "a token revoked by another process renews it")
    }

    @Test func reopeningKeepsDataAndReappliesNoMigration() async throws {
        let path = try temporaryPath()
        let created = try await SQLiteStore(path: path).create(account: account, fields: fields("x@example.com"))
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.policy(account: account, id: created.id) == created)
    }

    /// Every order and every single filter walks an index: no table scan, no sort of the matches.
    @Test func everyListShapeIsServedByAnIndex() async throws {
        let store = try SQLiteStore(path: try temporaryPath())
        let shapes = everyListShape()
        for (name, query) in shapes {
            let plan = try await store.listQueryPlan(account: account, query: query)
            let label = "\(name) \(query.order) \(query.direction)"
            #expect(
                plan.count.contains("USING COVERING INDEX") || plan.count.contains("policy_counts USING PRIMARY KEY"),
                "\(label): \(plan.count)")
            if query.pattern == nil {
                #expect(plan.window.contains("USING COVERING INDEX"), "\(label): \(plan.window)")
                #expect(plan.seek.contains("USING COVERING INDEX"), "\(label): \(plan.seek)")
                #expect(!plan.window.contains("TEMP B-TREE"), "\(label): \(plan.window)")
                #expect(!plan.seek.contains("TEMP B-TREE"), "\(label): \(plan.seek)")
                // A set flag in creation order walks only the policies that have it.
                if query.order == .createdAt, let set = query.flagFilters.first(where: \.value) {
                    #expect(plan.window.contains("policies_\(set.flag.rawValue)_set"), "\(label): \(plan.window)")
                }
            } else {
                // One exact pattern: a few rows found by equality, then sorted.
                #expect(plan.window.contains("policies_by_pattern (account_id=? AND pattern=?)"), "\(label): \(plan.window)")
            }
        }
    }

    /// A large load builds the indexes after its rows: afterwards the schema is what it was,
    /// the counts agree with the rows (other accounts' too), and the conflict rule holds.
    @Test func aBulkLoadRestoresIndexesAndCounts() async throws {
        let store = try SQLiteStore(path: try temporaryPath())
        func schema() async throws -> [String] {
            try await store.read { db in
                try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE tbl_name = 'policies' AND sql IS NOT NULL ORDER BY name")
            }
        }
        let before = try await schema()
        _ = try await store.create(account: otherAccount, fields: fields("other@example.com"))
        let kept = try await store.create(account: account, fields: fields("kept@example.com"))
        let now = Timestamp.now()
        let rows = try (0..<SQLiteStore.bulkThreshold).map { index in
            var item = try fields("bulk\(index)@example.com")
            item.isExemptRecipient = index % 3 == 0
            return AllowPolicy(accountID: account, fields: item, now: Timestamp(microseconds: now.microseconds + Int64(index)))
        }
        try await store.insert(rows, origin: ChangeOrigin(actor: "cli:test", channel: .import))
        #expect(try await schema() == before)
        // The load's sorting threads and page cache were its own.
        #expect(try await store.writerSetting("threads") == 0)
        #expect(try await store.writerSetting("cache_size") == -2000)
        var exempt = ListQuery()
        exempt.isExemptRecipient = true
        #expect(try await store.list(account: account, query: exempt).totalCount == (SQLiteStore.bulkThreshold + 2) / 3)
        #expect(try await store.list(account: account, query: ListQuery()).totalCount == SQLiteStore.bulkThreshold + 1)
        #expect(try await store.list(account: otherAccount, query: ListQuery()).totalCount == 1)
        #expect(try await store.policy(account: account, id: kept.id) == kept)
        await #expect(throws: SafelistError.duplicatePattern(pointer: "/pattern")) {
            _ = try await store.create(account: account, fields: fields("bulk7@example.com"))
        }
        // A load whose rows break the conflict rule fails whole.
        let clash = try (0..<SQLiteStore.bulkThreshold).map { index in
            AllowPolicy(accountID: otherAccount, fields: try fields(index == 5 ? "other@example.com" : "clash\(index)@example.com"), now: now)
        }
        await #expect(throws: SafelistError.duplicatePattern()) { try await store.insert(clash, origin: .system) }
        #expect(try await store.list(account: otherAccount, query: ListQuery()).totalCount == 1)
        #expect(try await schema() == before)
    }

    /// A command's large load, with the file to itself, writes the database directly: the WAL
    /// stays empty, and the file is in WAL mode again after, a failed load's too. With another
    /// connection open on the file (a server), the load goes through the WAL.
    @Test func aLoadWithTheFileAloneWritesOutsideTheWAL() async throws {
        let path = try temporaryPath()
        var options = SQLiteStore.Options()
        options.bulkLoadsOutsideWAL = true
        let store = try SQLiteStore(path: path, options: options)
        _ = try await store.create(account: account, fields: fields("first@example.com"))
        func rows(_ prefix: String, clashing: Bool = false) throws -> [AllowPolicy] {
            let now = Timestamp.now()
            return try (0..<SQLiteStore.bulkThreshold).map { index in
                let pattern = clashing && index == 9 ? "first@example.com" : "\(prefix)\(index)@example.com"
                return AllowPolicy(accountID: account, fields: try fields(pattern), now: Timestamp(microseconds: now.microseconds + Int64(index)))
            }
        }
        func walBytes() throws -> Int {
            (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        }
        func journalMode() async throws -> String? {
            try await store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        }
        try await store.insert(try rows("alone"), origin: .system)
        #expect(try walBytes() < 100_000)
        #expect(try await journalMode() == "wal")
        #expect(try await store.list(account: account, query: ListQuery()).totalCount == SQLiteStore.bulkThreshold + 1)
        #expect(try await store.changes(account: account, after: 0).upserted.count == SQLiteStore.bulkThreshold + 1)

        await #expect(throws: SafelistError.duplicatePattern()) { try await store.insert(try rows("failed", clashing: true), origin: .system) }
        #expect(try await journalMode() == "wal")
        #expect(try await store.list(account: account, query: ListQuery()).totalCount == SQLiteStore.bulkThreshold + 1)

        let server = try SQLiteStore(path: path)
        try await store.insert(try rows("shared"), origin: .system)
        #expect(try walBytes() > 1_000_000)
        #expect(try await server.list(account: account, query: ListQuery()).totalCount == 2 * SQLiteStore.bulkThreshold + 1)
    }

    /// A load binds its values with SQLite's own functions (`DirectStatement`): text goes in
    /// byte for byte, a NUL and non-ASCII included, and a taken id is refused.
    @Test func aLoadStoresTextExactly() async throws {
        let store = try SQLiteStore(path: try temporaryPath())
        var item = try fields("exact@example.com")
        item.comments = "before\u{0}after, naïve ✓ \"quoted\""
        let policy = AllowPolicy(accountID: account, fields: item, now: .now())
        try await store.insert([policy])
        #expect(try await store.policy(account: account, id: policy.id) == policy)
        var again = AllowPolicy(accountID: account, fields: try fields("other@example.com"), now: .now())
        again.id = policy.id
        await #expect(throws: (any Error).self) { try await store.insert([again]) }
        #expect(try await store.list(account: account, query: ListQuery()).totalCount == 1)
    }

    /// `UNKNOWN` cannot be written through the API; rows of it come from older data.
    @Test func legacyUnknownRowsListAndFilter() async throws {
        let store = try SQLiteStore(path: try temporaryPath())
        var legacy = AllowPolicy(accountID: account, fields: try fields("legacy@example.com"), now: .now())
        legacy.patternType = .unknown
        try await store.insert([legacy])
        var query = ListQuery()
        query.patternType = .unknown
        #expect(try await store.list(account: account, query: query).policies == [legacy])
        #expect(try await store.policy(account: account, id: legacy.id) == legacy)
    }

    @Test func unreadableFileIsAClearError() throws {
        let path = try temporaryPath()
        try Data("not a database, just text that is long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { _ = try SQLiteStore(path: path) }
    }
}
