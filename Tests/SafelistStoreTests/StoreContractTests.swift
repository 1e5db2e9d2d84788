import Foundation
import SafelistCore
import SafelistTesting
import Testing

@Suite("The store contract, on every backend")
struct StoreContractTests {
    @Test(arguments: StoreKind.available)
    func writeReadAndConflict(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let created = try await store.create(account: account, fields: fields("a@example.com", comments: "c"))
            #expect(try await store.policy(account: account, id: created.id) == created)
            #expect(try await store.policy(account: otherAccount, id: created.id) == nil)
            await #expect(throws: SafelistError.duplicatePattern(pointer: "/pattern")) {
                _ = try await store.create(account: account, fields: fields("A@Example.com"))
            }
            // Another account, or the regex namespace, may hold the same text.
            _ = try await store.create(account: otherAccount, fields: fields("a@example.com"))
            _ = try await store.create(account: account, fields: fields("a@example.com", regex: true))
            let edited = try await store.edit(account: account, id: created.id, edit: PolicyEdit(comments: .some(nil)))
            #expect(edited.comments == nil && edited.createdAt == created.createdAt && edited.modifiedAt > created.modifiedAt)
            try await store.delete(account: account, id: created.id)
            #expect(try await store.policy(account: account, id: created.id) == nil)
            await #expect(throws: SafelistError.policyNotFound()) { try await store.delete(account: account, id: created.id) }
        }
    }

    @Test(arguments: StoreKind.available)
    func batchIsAllOrNothing(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let keep = try await store.create(account: account, fields: fields("keep@example.com"))
            let request = BatchRequest(
                deletes: [.init(id: keep.id, pointer: "/deletes/0")],
                posts: [
                    .init(fields: try fields("one@example.com"), pointer: "/posts/0"),
                    .init(fields: try fields("one@example.com"), pointer: "/posts/1"),
                ])
            await #expect(throws: SafelistError.duplicatePattern(pointer: "/posts/1/pattern")) {
                _ = try await store.write(account: account, request: request)
            }
            #expect(try await store.policy(account: account, id: keep.id) == keep)
            let page = try await store.list(account: account, query: ListQuery())
            #expect(page.totalCount == 1 && page.policies == [keep])
        }
    }

    /// New policies of a batch go in together (one statement on PostgreSQL): a post whose
    /// pattern is taken is still the one reported, a delete earlier in the batch still frees
    /// its pattern for a post, and a large batch arrives whole.
    @Test(arguments: StoreKind.available)
    func batchPostsConflictWhereTheyWould(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let taken = try await store.create(account: account, fields: fields("taken@example.com"))
            let clash = BatchRequest(posts: [
                .init(fields: try fields("a@example.com"), pointer: "/posts/0"),
                .init(fields: try fields("taken@example.com"), pointer: "/posts/1"),
                .init(fields: try fields("b@example.com"), pointer: "/posts/2"),
            ])
            await #expect(throws: SafelistError.duplicatePattern(pointer: "/posts/1/pattern")) {
                _ = try await store.write(account: account, request: clash)
            }
            #expect(try await store.list(account: account, query: ListQuery()).policies == [taken])

            let freed = BatchRequest(
                deletes: [.init(id: taken.id, pointer: "/deletes/0")],
                posts: [
                    .init(fields: try fields("taken@example.com"), pointer: "/posts/0"),
                    .init(fields: try fields("c@example.com"), pointer: "/posts/1"),
                ])
            let result = try await store.write(account: account, request: freed)
            #expect(result.posts.map(\.pattern) == ["taken@example.com", "c@example.com"])

            let many = BatchRequest(posts: try (0..<1500).map { .init(fields: try fields("bulk\($0)@example.com"), pointer: "/posts/\($0)") })
            #expect(try await store.write(account: account, request: many).posts.count == 1500)
            var query = ListQuery()
            query.perPage = 1
            #expect(try await store.list(account: account, query: query).totalCount == 1502)
        }
    }

    @Test(arguments: StoreKind.available)
    func credentials(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await !store.hasCredentials())
            let issuer = CredentialIssuer(store: store)
            let (token, secret) = try await issuer.issueToken(name: "n", permission: .read, scope: .accounts([account, otherAccount]))
            #expect(try await store.hasCredentials())
            #expect(try await store.token(secretHash: Secret.hash(secret)) == token)
            #expect(try await store.tokens() == [token])
            #expect(try await store.revokeToken(id: token.id, at: .now()))
            #expect(try await store.token(secretHash: Secret.hash(secret))?.isActive(at: .now()) == false)
            #expect(try await !store.revokeToken(id: "missing", at: .now()))
            let (user, _) = try await issuer.createUser(email: "Me@Example.com", scope: .all)
            #expect(user.email == "me@example.com")
            #expect(try await store.user(email: "ME@example.com") == user)
            await #expect(throws: CredentialError.duplicateUser("me@example.com")) {
                _ = try await issuer.createUser(email: "me@example.com", scope: .all)
            }
            #expect(try await store.users() == [user])
            #expect(try await store.deleteUser(email: "me@example.com"))
            #expect(try await store.user(email: "me@example.com") == nil)
        }
    }

    /// Sequential pages seek past the previous page's end; every page must equal what `OFFSET`
    /// gives, including across ties of the order column and across writes between pages.
    @Test(arguments: StoreKind.available)
    func seekingPagesAgreeWithOffsetPages(kind: StoreKind) async throws {
        let opened = try await kind.open()
        defer { Task { await opened.close() } }
        let store = opened.store
        let base = Timestamp.now().microseconds
        var seed: [AllowPolicy] = []
        for index in 0..<150 {
            // Ten policies share each created_at, and EMAIL literal/regex pairs share a pattern.
            var policy = AllowPolicy(
                accountID: account, fields: try fields("u\(index % 75)@example.com", regex: index >= 75),
                now: Timestamp(microseconds: base + Int64(index / 10)))
            policy.isTrustedSender = index % 3 == 0
            seed.append(policy)
        }
        try await load(seed, into: opened)

        func walk(_ template: ListQuery, writing write: ((Int) async throws -> Void)? = nil) async throws {
            var query = template
            query.perPage = 7
            query.page = 1
            while true {
                let seeking = try await store.list(account: account, query: query)
                let offset = try await opened.offsetList(account: account, query: query)
                #expect(seeking == offset, "page \(query.page) of \(template.order) \(template.direction)")
                if seeking.policies.isEmpty { break }
                try await write?(query.page)
                query.page += 1
            }
        }
        for order in [ListQuery.Order.createdAt, .pattern] {
            for direction in [ListQuery.Direction.asc, .desc] {
                var query = ListQuery()
                query.order = order
                query.direction = direction
                try await walk(query)
                query.isTrustedSender = true
                try await walk(query)
            }
        }
        #expect(opened.seekHits > 100, "sequential pages were served by seeking")

        // Writes between pages make remembered boundaries stale: pages still match OFFSET.
        var query = ListQuery()
        query.order = .pattern
        var counter = 0
        try await walk(query) { page in
            counter += 1
            switch page % 3 {
            case 0: _ = try await store.create(account: account, fields: fields("a\(counter)@example.com"))
            case 1:
                let first = try await store.list(account: account, query: ListQuery()).policies[0]
                try await store.delete(account: account, id: first.id)
            default:
                let some = try await store.list(account: account, query: ListQuery()).policies[1]
                _ = try await store.edit(account: account, id: some.id, edit: PolicyEdit(pattern: "zz\(counter)@example.com"))
            }
        }
    }

    /// The trigger-kept counts agree with counting the rows, for every filter, after inserts,
    /// flag and type edits, replaces, deletes and a failed batch.
    @Test(arguments: StoreKind.available)
    func keptCountsMatchRealCounts(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var ids: [PolicyID] = []
            for index in 0..<60 {
                let type: PatternType = index % 3 == 0 ? .domain : .email
                let pattern = type == .domain ? "d\(index).example" : "e\(index)@example.com"
                var f = try fields(pattern, type)
                f.isExemptRecipient = index % 2 == 0
                f.verifySender = index % 5 == 0
                ids.append(try await store.create(account: index % 4 == 0 ? otherAccount : account, fields: f).id)
            }
            for (index, id) in ids.enumerated() where index % 4 != 0 {
                if index % 7 == 0 { try await store.delete(account: account, id: id) }
                if index % 7 == 1 {
                    _ = try await store.edit(account: account, id: id, edit: PolicyEdit(isTrustedSender: false, isAcceptableSender: true))
                }
                if index % 7 == 2 {
                    _ = try await store.edit(account: account, id: id, edit: PolicyEdit(pattern: "8.8.\(index).0/24", patternType: .ip))
                }
                if index % 7 == 3 { _ = try await store.replace(account: account, id: id, fields: try fields("r\(index).example", .domain)) }
            }
            _ = try? await store.write(
                account: account,
                request: BatchRequest(
                    deletes: [.init(id: ids[1])], posts: [.init(fields: try fields("dup@example.com")), .init(fields: try fields("dup@example.com"))])
            )
            var queries: [ListQuery] = [ListQuery()]
            for type in PatternType.allCases { var q = ListQuery(); q.patternType = type; queries.append(q) }
            for flag in 0..<4 {
                for value in [true, false] {
                    var q = ListQuery()
                    switch flag {
                    case 0: q.isTrustedSender = value
                    case 1: q.isExemptRecipient = value
                    case 2: q.isAcceptableSender = value
                    default: q.verifySender = value
                    }
                    q.patternType = value ? .email : nil
                    queries.append(q)
                }
            }
            for query in queries {
                for owner in [account, otherAccount] {
                    let kept = try await store.list(account: owner, query: query).totalCount
                    var all = query
                    all.search = "."  // forces the row count: every stored pattern contains a dot
                    let counted = try await store.list(account: owner, query: all).totalCount
                    #expect(kept == counted, "\(query)")
                }
            }
        }
    }

    /// What the engine follows: each write advances the account's generation, and asking from
    /// any earlier generation returns the current state of everything written since.
    @Test(arguments: StoreKind.available)
    func changeFeedReturnsEverythingSinceAGeneration(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let signals = store.changeSignals()
            #expect(try await store.generations(of: [account, otherAccount])[account] == nil)
            let a = try await store.create(account: account, fields: fields("a@example.com"))
            let b = try await store.create(account: account, fields: fields("b@example.com"))
            _ = try await store.create(account: otherAccount, fields: fields("c@example.com"))
            let afterCreates = try #require(try await store.generations(of: [account, otherAccount])[account])
            let all = try await store.changes(account: account, after: 0)
            #expect(all.generation == afterCreates)
            #expect(Set(all.upserted.map(\.id)) == [a.id, b.id] && all.deleted.isEmpty)

            let edited = try await store.edit(account: account, id: a.id, edit: PolicyEdit(comments: .some("x")))
            try await store.delete(account: account, id: b.id)
            let since = try await store.changes(account: account, after: afterCreates)
            #expect(since.upserted == [edited] && since.deleted == [b.id] && since.generation > afterCreates)
            #expect(
                try await store.changes(account: account, after: since.generation)
                    == PolicyChanges(generation: since.generation, upserted: [], deleted: []))

            // A failed batch changes nothing, generation included.
            let failing = BatchRequest(posts: [
                .init(fields: try fields("z@example.com"), pointer: "/posts/0"),
                .init(fields: try fields("z@example.com"), pointer: "/posts/1"),
            ])
            _ = try? await store.write(account: account, request: failing)
            #expect(try await store.generations(of: [account, otherAccount])[account] == since.generation)

            #expect(await receive(.account(account, generation: since.generation), from: signals))
        }
    }

    /// A load (an import) is one write for the feed, recorded as the range of its ids: asked
    /// from before it, the feed has every policy it loaded, none of another account's loaded
    /// alongside, and what later writes did to them; asked from after it, nothing.
    @Test(arguments: StoreKind.available)
    func aLoadIsOneChangeInTheFeed(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.create(account: account, fields: fields("before@example.com"))
            let beforeLoad = try #require(try await store.generations(of: [account])[account])
            let now = Timestamp.now()
            func rows(_ owner: AccountID, _ prefix: String) throws -> [AllowPolicy] {
                try (0..<40).map { index in
                    AllowPolicy(
                        accountID: owner, fields: try fields("\(prefix)\(index)@example.com"),
                        now: Timestamp(microseconds: now.microseconds + Int64(index)))
                }
            }
            // Interleaved, the other account's ids fall inside this account's range.
            let loaded = try rows(account, "loaded"), others = try rows(otherAccount, "other")
            try await store.insert(zip(loaded, others).flatMap { [$0, $1] }, origin: .system)
            let afterLoad = try #require(try await store.generations(of: [account])[account])
            #expect(afterLoad == beforeLoad + 1)

            let since = try await store.changes(account: account, after: beforeLoad)
            let upserted = Dictionary(uniqueKeysWithValues: since.upserted.map { ($0.id, $0) })
            #expect(loaded.allSatisfy { upserted[$0.id] == $0 } && since.deleted.isEmpty)
            #expect(upserted.values.allSatisfy { $0.accountID == account })
            #expect(try await store.changes(account: account, after: afterLoad).upserted.isEmpty)

            let edited = try await store.edit(account: account, id: loaded[3].id, edit: PolicyEdit(comments: .some("edited")))
            try await store.delete(account: account, id: loaded[5].id)
            let later = try await store.changes(account: account, after: afterLoad)
            #expect(later.upserted == [edited] && later.deleted == [loaded[5].id])
            let whole = try await store.changes(account: account, after: beforeLoad)
            #expect(whole.deleted == [loaded[5].id] && whole.upserted.contains(edited) && !whole.upserted.contains(loaded[3]))
            #expect(Set(whole.upserted.map(\.id)).isSuperset(of: loaded.map(\.id).filter { $0 != loaded[5].id }))
        }
    }

    /// Two nodes (two store objects over one database): a write through one is read through
    /// the other at once; racing creates of one pattern give one winner; concurrent edits of
    /// different fields of one policy all land.
    @Test(arguments: StoreKind.available)
    func twoNodesShareOneDatabase(kind: StoreKind) async throws {
        let first = try await kind.open()
        let second = try await first.secondNode()
        defer {
            Task {
                await second.close(); await first.close()
            }
        }
        let created = try await first.store.create(account: account, fields: fields("shared@example.com"))
        #expect(try await second.store.policy(account: account, id: created.id) == created)
        #expect(try await second.store.list(account: account, query: ListQuery()).totalCount == 1)

        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                let node = index % 2 == 0 ? first.store : second.store
                group.addTask {
                    do {
                        _ = try await node.create(account: account, fields: fields("race@example.com"))
                        return true
                    } catch let error as SafelistError where error == .duplicatePattern(pointer: "/pattern") {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)

        // Each round edits two different fields at once, one through each node: both must land.
        for round in 0..<10 {
            async let comment = first.store.edit(account: account, id: created.id, edit: PolicyEdit(comments: .some("round \(round)")))
            async let flag = second.store.edit(account: account, id: created.id, edit: PolicyEdit(isExemptRecipient: round % 2 == 1))
            _ = try await (comment, flag)
            let now = try #require(try await first.store.policy(account: account, id: created.id))
            #expect(now.comments == "round \(round)" && now.isExemptRecipient == (round % 2 == 1), "round \(round)")
        }

        // A token minted through one node authenticates through the other.
        let (token, secret) = try await CredentialIssuer(store: first.store).issueToken(name: "n", permission: .read, scope: .all)
        #expect(try await second.store.token(secretHash: Secret.hash(secret)) == token)
    }

    /// Whether `expected` arrives within five seconds; other signals may come before it.
    private func receive(_ expected: ChangeSignal, from signals: AsyncStream<ChangeSignal>) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await signal in signals where signal == expected { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func load(_ policies: [AllowPolicy], into opened: OpenStore) async throws {
        try await opened.bulkInsert(policies)
    }
}
