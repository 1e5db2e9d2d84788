import Foundation
import SafelistCore
import SafelistTesting
import Testing

@Suite("The audit trail, on every backend")
struct AuditTrailTests {
    static let alice = ChangeOrigin(actor: "token:alice", client: "192.0.2.7", requestID: "r-1", channel: .api)
    static let bob = ChangeOrigin(actor: "user:bob@example.com", client: "2001:db8::1", requestID: "r-2", channel: .batch)

    /// Every kind of change is recorded with its origin, and the policy before and after it;
    /// newest first.
    @Test(arguments: StoreKind.available)
    func everyChangeIsRecorded(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let created = try await store.create(account: account, fields: fields("a@example.com", comments: "first"), origin: Self.alice)
            let edited = try await store.edit(account: account, id: created.id, edit: PolicyEdit(comments: .some("second")), origin: Self.alice)
            let replaced = try await store.replace(account: account, id: created.id, fields: fields("b@example.com"), origin: Self.bob)
            let batch = BatchRequest(
                deletes: [.init(id: created.id, pointer: "/deletes/0")], posts: [.init(fields: try fields("c@example.com"), pointer: "/posts/0")])
            let result = try await store.write(account: account, request: batch.from(Self.bob))
            _ = try await store.create(account: otherAccount, fields: fields("elsewhere@example.com"), origin: Self.alice)

            let page = try await store.audit(account: account, query: AuditQuery())
            #expect(page.totalCount == 5)
            let entries = page.entries
            #expect(entries.map(\.action) == [.create, .delete, .replace, .edit, .create])
            #expect(entries.map(\.sequence) == entries.map(\.sequence).sorted(by: >))
            #expect(entries.allSatisfy { $0.accountID == account })
            #expect(entries[0].after == result.posts[0] && entries[0].before == nil && entries[0].origin == Self.bob)
            #expect(entries[1].before == replaced && entries[1].after == nil && entries[1].policyID == created.id)
            #expect(entries[2].before == edited && entries[2].after == replaced && entries[2].origin == Self.bob)
            #expect(entries[3].before == created && entries[3].after == edited && entries[3].origin == Self.alice)
            #expect(entries[4].before == nil && entries[4].after == created && entries[4].at == created.createdAt)
            #expect(entries[3].at == edited.modifiedAt)
        }
    }

    /// A write that fails leaves no entry, alone or grouped with others that succeed.
    @Test(arguments: StoreKind.available)
    func failedWritesLeaveNoEntry(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.create(account: account, fields: fields("taken@example.com"), origin: Self.alice)
            await #expect(throws: SafelistError.duplicatePattern(pointer: "/pattern")) {
                _ = try await store.create(account: account, fields: fields("taken@example.com"), origin: Self.bob)
            }
            let clash = BatchRequest(posts: [
                .init(fields: try fields("new@example.com"), pointer: "/posts/0"),
                .init(fields: try fields("taken@example.com"), pointer: "/posts/1"),
            ])
            // Concurrent writes share transactions: the failing ones must roll back alone.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        if index.isMultiple(of: 2) {
                            _ = try? await store.write(account: account, request: clash.from(Self.bob))
                        } else {
                            _ = try await store.create(account: account, fields: fields("ok\(index)@example.com"), origin: Self.alice)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let page = try await store.audit(account: account, query: AuditQuery())
            #expect(page.totalCount == 5)
            #expect(page.entries.allSatisfy { $0.origin == Self.alice && $0.action == .create })
        }
    }

    @Test(arguments: StoreKind.available)
    func filtersAndPages(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var policies: [AllowPolicy] = []
            for index in 0..<6 {
                policies.append(
                    try await store.create(account: account, fields: fields("p\(index)@example.com"), origin: index < 4 ? Self.alice : Self.bob))
            }
            _ = try await store.edit(account: account, id: policies[1].id, edit: PolicyEdit(comments: .some("x")), origin: Self.bob)

            var byPolicy = AuditQuery()
            byPolicy.policyID = policies[1].id
            #expect(try await store.audit(account: account, query: byPolicy).entries.map(\.action) == [.edit, .create])

            var byActor = AuditQuery()
            byActor.actor = Self.bob.actor
            let bobs = try await store.audit(account: account, query: byActor)
            #expect(bobs.totalCount == 3 && bobs.entries.allSatisfy { $0.origin.actor == Self.bob.actor })

            var window = AuditQuery()
            window.since = policies[2].createdAt
            window.until = policies[4].createdAt
            #expect(try await store.audit(account: account, query: window).entries.map(\.policyID) == [policies[3].id, policies[2].id])

            var paged = AuditQuery()
            paged.perPage = 3
            paged.page = 3
            let last = try await store.audit(account: account, query: paged)
            #expect(last.totalCount == 7 && last.entries.map(\.policyID) == [policies[0].id])
            #expect(try await store.audit(account: otherAccount, query: AuditQuery()).totalCount == 0)
        }
    }

    /// A bulk load records each policy as a create by its origin. Its text goes in exactly:
    /// PostgreSQL's rows and entries travel in `COPY`'s text format, whose own characters
    /// (backslash, tab, newline, carriage return, `\N`, `\.`) must arrive as written.
    @Test(arguments: StoreKind.available)
    func bulkLoadsAreRecorded(kind: StoreKind) async throws {
        try await kind.withStore { store in
            // Made a few milliseconds before the load's ids: a load is in the feed as the range
            // of its ids, which a policy made in the same millisecond could fall inside.
            let earlier = try await store.create(account: account, fields: fields("earlier@example.com"))
            let generation = try #require(try await store.generations(of: [account])[account])
            try await Task.sleep(for: .milliseconds(3))
            let now = Timestamp.now()
            let comments = ["a\\b", "tab\there", "two\nlines", "cr\r", "\\N", "\\.", "naïve ✓ \"quoted\"", "\\", "end\\"]
            let loaded = try (0..<50).map { index in
                var item = try fields("bulk\(index)@example.com")
                item.comments = index < comments.count ? comments[index] : index % 2 == 0 ? nil : "row \(index)"
                return AllowPolicy(accountID: account, fields: item, now: now)
            }
            let others = try (0..<5).map { AllowPolicy(accountID: otherAccount, fields: try fields("other\($0)@example.com"), now: now) }
            let origin = ChangeOrigin(actor: "cli:back\\slash\tand tab", client: "\\N", requestID: "line\nbreak", channel: .import)
            try await store.insert(loaded + others, origin: origin)
            for policy in loaded { #expect(try await store.policy(account: account, id: policy.id) == policy) }
            // The counts the list totals read were kept by the load (a statement trigger on COPY).
            #expect(try await store.list(account: account, query: ListQuery()).totalCount == 51)
            // Each account's feed and trail have its own rows of the load, and only those.
            #expect(Set(try await store.changes(account: account, after: generation).upserted.map(\.id)) == Set(loaded.map(\.id)))
            #expect(Set(try await store.changes(account: otherAccount, after: 0).upserted.map(\.id)) == Set(others.map(\.id)))
            #expect(try await store.audit(account: otherAccount, query: AuditQuery()).totalCount == 5)
            var query = AuditQuery()
            query.perPage = 100
            var page = try await store.audit(account: account, query: query)
            #expect(page.totalCount == 51)
            #expect(page.entries.last?.after == earlier)
            page.entries.removeLast()
            #expect(Set(page.entries.compactMap(\.after?.id)) == Set(loaded.map(\.id)))
            #expect(page.entries.allSatisfy { $0.origin == origin && $0.action == .create && $0.before == nil })
            #expect(page.entries.compactMap(\.after).sorted { $0.pattern < $1.pattern } == loaded.sorted { $0.pattern < $1.pattern })
        }
    }

    /// A create keeps no copy of its policy: the policy's next entry recorded it as its
    /// `before`, or the policy still is as created. Each way gives the policy as it was loaded.
    @Test(arguments: StoreKind.available)
    func createsShowThePolicyAsCreated(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Timestamp.now()
            let loaded = try (0..<3).map { AllowPolicy(accountID: account, fields: try fields("kept\($0)@example.com"), now: now) }
            try await store.insert(loaded, origin: Self.alice)
            _ = try await store.edit(account: account, id: loaded[0].id, edit: PolicyEdit(comments: .some("later")), origin: Self.bob)
            _ = try await store.edit(account: account, id: loaded[0].id, edit: PolicyEdit(comments: .some("later still")), origin: Self.bob)
            _ = try await store.write(account: account, request: BatchRequest(deletes: [.init(id: loaded[1].id)]).from(Self.bob))
            let single = try await store.create(account: account, fields: fields("single@example.com"), origin: Self.alice)
            _ = try await store.write(account: account, request: BatchRequest(deletes: [.init(id: single.id)]).from(Self.bob))

            var creates = AuditQuery()
            creates.actor = Self.alice.actor
            let page = try await store.audit(account: account, query: creates)
            #expect(page.entries.map(\.action) == [.create, .create, .create, .create])
            let after = Dictionary(uniqueKeysWithValues: page.entries.compactMap { entry in entry.after.map { (entry.policyID, $0) } })
            #expect(after == Dictionary(uniqueKeysWithValues: (loaded + [single]).map { ($0.id, $0) }))
        }
    }

    /// Retention removes entries older than the cutoff from the head of the trail, in batches,
    /// and keeps the rest.
    @Test(arguments: StoreKind.available)
    func pruning(kind: StoreKind) async throws {
        try await kind.withStore { store in
            for index in 0..<7 { _ = try await store.create(account: account, fields: fields("old\(index)@example.com"), origin: Self.alice) }
            try await Task.sleep(for: .milliseconds(20))
            let cutoff = Timestamp.now()
            let kept = try await store.create(account: account, fields: fields("new@example.com"), origin: Self.alice)
            #expect(try await store.pruneAudit(olderThan: cutoff, limit: 5) == 5)
            #expect(try await store.pruneAudit(olderThan: cutoff, limit: 5) == 2)
            #expect(try await store.pruneAudit(olderThan: cutoff, limit: 5) == 0)
            let page = try await store.audit(account: account, query: AuditQuery())
            #expect(page.totalCount == 1 && page.entries.first?.after == kept)
        }
    }
}
