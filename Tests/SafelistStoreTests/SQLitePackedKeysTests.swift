import Foundation
import GRDB
import SafelistCore
import SafelistSQL
import SafelistTesting
import Testing

@testable import SafelistSQLite

/// SQLite holds account and policy ids as the sixteen bytes they spell (`PackedKey`, migration
/// v12), in the order of their text.
@Suite("SQLite: ids as sixteen bytes")
struct SQLitePackedKeysTests {
    static let mixed = AccountID("0123456789abcdef0f1e2d3c4b5a6978")!

    @Test func keysRoundTripInTheOrderOfTheirText() throws {
        let accounts = [account, otherAccount, Self.mixed, AccountID(String(repeating: "f", count: 32))!]
        for account in accounts { #expect(PackedKey(account).accountID == account) }
        let ids = (0..<200).map { _ in PolicyID(uuid: UUID()) } + [PolicyID.timeOrdered()]
        for id in ids { #expect(PackedKey(id).policyID == id) }
        func bytes(_ key: PackedKey) -> [UInt8] { key.withBytes { Array($0) } }
        let byText = ids.sorted { $0.rawValue < $1.rawValue }
        #expect(byText == ids.sorted { bytes(PackedKey($0)).lexicographicallyPrecedes(bytes(PackedKey($1))) })
        let accountsByText = accounts.sorted { $0.rawValue < $1.rawValue }
        #expect(accountsByText == accounts.sorted { bytes(PackedKey($0)).lexicographicallyPrecedes(bytes(PackedKey($1))) })
    }

    /// A database written before v12 (ids as text) opens with every id packed, and reads,
    /// counts, the change feed, the trail, the account directory and the conflict rule all
    /// find what it held.
    @Test func aDatabaseWithTextIdsIsPackedOnOpening() async throws {
        let path = try temporaryDirectory("safelist-packed").appendingPathComponent("old.sqlite").path
        let now = Timestamp(microseconds: 1_700_000_000_000_000)
        let policies = try ["one@example.com", "two@example.com", "three@example.com"].map {
            AllowPolicy(accountID: Self.mixed, fields: try fields($0), now: now)
        }
        let loaded = try AllowPolicy(accountID: Self.mixed, fields: fields("loaded@example.com"), now: now)
        let origin = ChangeOrigin(actor: "test", channel: .api)
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v11-policy-loads")
            try await queue.write { db in
                // Text, as every store wrote ids before v12: PostgreSQL's form of the same values.
                for policy in policies + [loaded] {
                    try db.execute(sql: PolicyTable.insert(.sqlite), arguments: StatementArguments(PolicyTable.insertValues(policy, .postgres)))
                }
                for policy in policies {
                    try db.execute(
                        sql: "INSERT INTO policy_changes (account_id, policy_id, generation) VALUES (?, ?, 1)",
                        arguments: [Self.mixed.rawValue, policy.id.rawValue])
                    try db.execute(
                        sql: AuditSQL.insert(.sqlite),
                        arguments: StatementArguments(AuditSQL.values(AuditEntry(created: policy, by: origin), .postgres)))
                }
                try db.execute(
                    sql: ChangeFeedSQL.recordLoad(.sqlite), arguments: [Self.mixed.rawValue, 2, loaded.id.rawValue, loaded.id.rawValue])
                try db.execute(sql: "INSERT INTO policy_generations (account_id, generation) VALUES (?, 2)", arguments: [Self.mixed.rawValue])
            }
        }

        let store = try SQLiteStore(path: path)
        let untouched = try await store.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM policies WHERE typeof(id) <> 'blob' OR typeof(account_id) <> 'blob')
                        + (SELECT count(*) FROM policy_changes WHERE typeof(account_id) <> 'blob' OR typeof(policy_id) <> 'blob')
                        + (SELECT count(*) FROM policy_generations WHERE typeof(account_id) <> 'blob')
                        + (SELECT count(*) FROM policy_loads WHERE typeof(account_id) <> 'blob' OR typeof(first_id) <> 'blob' OR typeof(last_id) <> 'blob')
                        + (SELECT count(*) FROM policy_audit WHERE typeof(account_id) <> 'blob' OR typeof(policy_id) <> 'blob')
                        + (SELECT count(*) FROM policy_counts WHERE typeof(account_id) <> 'blob')
                    """)
        }
        #expect(untouched == 0)

        let all = policies + [loaded]
        let page = try await store.list(account: Self.mixed, query: ListQuery())
        #expect(page.totalCount == 4)
        #expect(Set(page.policies.map(\.id)) == Set(all.map(\.id)))
        #expect(try await store.policy(account: Self.mixed, id: policies[1].id) == policies[1])
        #expect(try await store.policy(account: account, id: policies[1].id) == nil)
        let changes = try await store.changes(account: Self.mixed, after: 0)
        #expect(changes.generation == 2)
        #expect(Set(changes.upserted.map(\.id)) == Set(all.map(\.id)))
        #expect(try await store.changes(account: Self.mixed, after: 1).upserted.map(\.id) == [loaded.id])
        #expect(try await store.generations(of: [Self.mixed, account]) == [Self.mixed: 2])
        #expect(try await store.writtenAccounts() == [Self.mixed])
        let trail = try await store.audit(account: Self.mixed, query: AuditQuery())
        #expect(Set(trail.entries.map(\.policyID)) == Set(policies.map(\.id)))
        #expect(trail.entries.allSatisfy { $0.accountID == Self.mixed && $0.after != nil })
        #expect(Set(try await store.existingIDs(all.map(\.id))) == Set(all.map(\.id)))
        #expect(try await store.conflictKeys(account: Self.mixed).count == 4)

        // The conflict rule holds against the packed rows; counts and the feed go on from them.
        await #expect(throws: SafelistError.self) { try await store.create(account: Self.mixed, fields: fields("TWO@example.com")) }
        let created = try await store.create(account: Self.mixed, fields: fields("five@example.com"))
        #expect(try await store.list(account: Self.mixed, query: ListQuery()).totalCount == 5)
        #expect(try await store.changes(account: Self.mixed, after: 2).upserted.map(\.id) == [created.id])
        try await store.delete(account: Self.mixed, id: policies[0].id)
        #expect(try await store.list(account: Self.mixed, query: ListQuery()).totalCount == 4)
    }
}
