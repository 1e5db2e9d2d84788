import Foundation
import SafelistCore
import SafelistTesting
import SafelistTransfer
import Testing

@Suite("Policy files: import and export, on every backend")
struct ImportExportTests {
    static let origin = ChangeOrigin(actor: "cli:tester", channel: .import)

    func temporaryFile(_ name: String, _ text: String? = nil) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safelist-transfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        if let text { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        return path
    }

    func export(_ store: any AnyStore, _ format: PolicyFileFormat, to path: String) async throws -> Int {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        return try await PolicyExporter.export(from: store, account: account, to: PolicyFileWriter(format: format, output: handle))
    }

    func everything(_ store: any AnyStore) async throws -> [AllowPolicy] {
        var query = ListQuery()
        query.perPage = 1000
        return try await store.list(account: account, query: query).policies
    }

    /// The streamed read an export uses gives the policies the list's pages give, in their
    /// order, ties in creation time broken by id, in batches of the size asked.
    @Test(arguments: StoreKind.available)
    func theStreamedReadIsTheListsOrder(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Timestamp.now()
            // Two thirds share one creation time, so the order between them is the id's.
            let loaded = try (0..<2_500).map { index in
                AllowPolicy(
                    accountID: account, fields: try fields("p\(index)@example.com"),
                    now: Timestamp(microseconds: now.microseconds + Int64(index < 1_700 ? 0 : index)))
            }
            try await store.insert(loaded.shuffled())
            var paged: [AllowPolicy] = []
            var query = ListQuery()
            query.perPage = 1000
            while true {
                let page = try await store.list(account: account, query: query)
                paged += page.policies
                if page.policies.count < query.perPage { break }
                query.page += 1
            }
            let source = try #require(store as? any PolicyExportSource)
            let batches = Collected()
            try await source.forEachPolicy(account: account, batch: 1000) { batches.append($0) }
            #expect(batches.all.map(\.count) == [1000, 1000, 500])
            #expect(batches.all.flatMap { $0 } == paged)
            #expect(Set(paged.map(\.id)) == Set(loaded.map(\.id)))
        }
    }

    /// Policies with every kind of field a file must carry: commas, quotes, line breaks and
    /// non-ASCII in comments, an internationalised domain, a regex, an IPv6 block, no comments.
    func variety(_ store: any AnyStore) async throws {
        let created: [PolicyFields] = [
            try fields("ceo@example.com", comments: "the CEO, \"really\"\nsecond line"),
            try fields("bücher.example", .domain, comments: "Ünïcödé ✓"),
            try fields("^billing-[0-9]+@partner\\.example$", .email, regex: true),
            try fields("2001:db8::/32", .ip),
            try fields("203.0.113.7", .ip, comments: ""),
        ]
        for item in created { _ = try await store.create(account: account, fields: item) }
    }

    @Test(arguments: StoreKind.available, [PolicyFileFormat.jsonl, .csv])
    func exportThenImportGivesTheSamePolicies(kind: StoreKind, format: PolicyFileFormat) async throws {
        let path = try temporaryFile("policies." + (format == .jsonl ? "jsonl" : "csv"))
        let original = try await kind.withStore { store in
            try await variety(store)
            #expect(try await export(store, format, to: path) == 5)
            return try await everything(store)
        }
        try await kind.withStore { store in
            let read = try PolicyFileReader(path: path).read()
            #expect(read.format == format && read.problems.isEmpty && read.records.count == 5, "\(read.problems)")
            var options = PolicyImporter.Options()
            options.keepIDs = true
            let outcome = try await PolicyImporter(store: store, compileCheck: InProcessRegexCompileCheck())
                .load(read, account: account, origin: Self.origin, options: options)
            #expect(outcome.imported == 5 && outcome.problems.isEmpty)
            // A CSV cell cannot tell empty comments from none: they come back as none.
            let expected = original.map { policy in
                var policy = policy
                if format == .csv, policy.comments == "" { policy.comments = nil }
                return policy
            }
            #expect(try await everything(store) == expected)
            let trail = try await store.audit(account: account, query: AuditQuery())
            #expect(trail.totalCount == 5 && trail.entries.allSatisfy { $0.origin == Self.origin && $0.action == .create })
        }
    }

    @Test func theDashboardFileInfersTypes() async throws {
        let path = try temporaryFile(
            "upload.csv",
            """
            Pattern,Notes,Verify Email,Trusted Sender,Exempt Recipient,Acceptable Sender
            ceo@example.com,the CEO,true,true,false,false
            partner.example,"a partner, trusted",FALSE,TRUE,FALSE,FALSE
            203.0.113.0/24,office,no,no,yes,no
            2001:db8::1,,0,0,0,1
            not an address,,false,true,false,false
            x@example.com,,maybe,true,false,false

            """)
        let read = try PolicyFileReader(path: path).read()
        #expect(read.format == .dashboard)
        #expect(read.records.map(\.fields.patternType) == [.email, .domain, .ip, .ip])
        #expect(read.records.map(\.line) == [2, 3, 4, 5])
        #expect(read.records[0].fields.verifySender && read.records[0].fields.isTrustedSender && !read.records[0].fields.isRegex)
        #expect(read.records[1].fields.comments == "a partner, trusted")
        #expect(read.records[2].fields.isExemptRecipient && read.records[3].fields.isAcceptableSender && read.records[3].fields.comments == nil)
        #expect(read.problems.map(\.line) == [6, 7])
        #expect(read.problems.first?.field == "pattern")
        #expect(read.problems.last?.field == "Verify Email" && read.problems.last?.message.contains("'maybe'") == true)
    }

    /// All or nothing by default; a dry run writes nothing; --skip-invalid loads the good rows;
    /// conflicts are reported per row, with the account and within the file.
    @Test(arguments: StoreKind.available)
    func problemsConflictsAndModes(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let existing = try await store.create(account: account, fields: fields("taken@example.com"))
            let path = try temporaryFile(
                "rows.jsonl",
                [
                    #"{"pattern":"new@example.com","pattern_type":"EMAIL","is_regex":false,"is_trusted_sender":true,"is_exempt_recipient":false,"is_acceptable_sender":false,"verify_sender":false}"#,
                    #"{"pattern":"TAKEN@example.com","pattern_type":"EMAIL","is_regex":false,"is_trusted_sender":true,"is_exempt_recipient":false,"is_acceptable_sender":false,"verify_sender":false}"#,
                    #"{"pattern":"new@EXAMPLE.com","pattern_type":"EMAIL","is_regex":false,"is_trusted_sender":true,"is_exempt_recipient":false,"is_acceptable_sender":false,"verify_sender":false}"#,
                    #"{"pattern":"a(?=b)","pattern_type":"EMAIL","is_regex":true,"is_trusted_sender":true,"is_exempt_recipient":false,"is_acceptable_sender":false,"verify_sender":false}"#,
                    #"{"pattern":"other.example","pattern_type":"DOMAIN","is_regex":false}"#,
                    #"{"pattern":"ok.example","pattern_type":"DOMAIN","is_regex":false,"is_trusted_sender":false,"is_exempt_recipient":false,"is_acceptable_sender":true,"verify_sender":false}"#,
                    "{not json",
                ].joined(separator: "\n"))
            let read = try PolicyFileReader(path: path).read()
            let importer = PolicyImporter(store: store, compileCheck: InProcessRegexCompileCheck())

            var dry = PolicyImporter.Options()
            dry.dryRun = true
            let checked = try await importer.load(read, account: account, origin: Self.origin, options: dry)
            #expect(Set(checked.problems.map(\.line)) == [2, 3, 4, 5, 7], "\(checked.problems)")
            #expect(checked.problems.contains { $0.line == 2 && $0.message.contains(existing.id.rawValue) })
            #expect(checked.problems.contains { $0.line == 3 && $0.message.contains("as line 1") })
            #expect(checked.problems.contains { $0.line == 5 && $0.field == "verify_sender" })
            #expect(checked.problems.contains { $0.line == 4 && $0.field == "pattern" })
            #expect(try await everything(store) == [existing], "a dry run writes nothing")

            let refused = try await importer.load(read, account: account, origin: Self.origin, options: PolicyImporter.Options())
            #expect(refused.refused && refused.imported == 0)
            #expect(try await everything(store) == [existing], "all or nothing")

            var skipping = PolicyImporter.Options()
            skipping.skipInvalid = true
            let loaded = try await importer.load(read, account: account, origin: Self.origin, options: skipping)
            #expect(loaded.imported == 2 && !loaded.refused)
            #expect(try await everything(store).map(\.pattern) == ["taken@example.com", "new@example.com", "ok.example"])
        }
    }

    /// With upsert, a row whose pattern the account has replaces that policy (id and creation
    /// time kept, audited as a replace with the policy before), in the same write as the new rows;
    /// a second row for the same pattern is still a problem.
    @Test(arguments: StoreKind.available)
    func upsertReplacesExistingPolicies(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let existing = try await store.create(account: account, fields: fields("ceo@example.com", comments: "old"))
            let line = { (pattern: String, comments: String) in
                #"{"pattern":"\#(pattern)","pattern_type":"EMAIL","is_regex":false,"is_trusted_sender":false,"is_exempt_recipient":true,"is_acceptable_sender":false,"verify_sender":false,"comments":"\#(comments)"}"#
            }
            let path = try temporaryFile(
                "upsert.jsonl",
                [line("CEO@example.com", "new"), line("cfo@example.com", "added"), line("ceo@EXAMPLE.com", "again")].joined(separator: "\n"))
            let read = try PolicyFileReader(path: path).read()
            var options = PolicyImporter.Options()
            options.upsert = true
            let importer = PolicyImporter(store: store, compileCheck: InProcessRegexCompileCheck())
            let refused = try await importer.load(read, account: account, origin: Self.origin, options: options)
            #expect(refused.refused && refused.problems.map(\.line) == [3] && refused.problems.first?.message.contains("as line 1") == true)

            options.skipInvalid = true
            let outcome = try await importer.load(read, account: account, origin: Self.origin, options: options)
            #expect(outcome.replaced == 1 && outcome.imported == 1)
            let replaced = try #require(try await store.policy(account: account, id: existing.id))
            #expect(replaced.comments == "new" && replaced.isExemptRecipient && replaced.createdAt == existing.createdAt)
            #expect(try await everything(store).count == 2)
            let trail = try await store.audit(account: account, query: AuditQuery())
            let replace = try #require(trail.entries.first { $0.action == .replace })
            #expect(replace.before == existing && replace.after == replaced && replace.origin == Self.origin)
        }
    }

    /// Kept ids must be free, in the file and in the store.
    @Test(arguments: StoreKind.available)
    func keptIDsMustBeFree(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let policy = try await store.create(account: otherAccount, fields: fields("elsewhere@example.com"))
            let line = { (id: String, pattern: String) in
                #"{"id":"\#(id)","pattern":"\#(pattern)","pattern_type":"EMAIL","is_regex":false,"is_trusted_sender":true,"is_exempt_recipient":false,"is_acceptable_sender":false,"verify_sender":false}"#
            }
            let fresh = UUID().uuidString.lowercased()
            let path = try temporaryFile(
                "ids.jsonl",
                [line(policy.id.rawValue, "a@example.com"), line(fresh, "b@example.com"), line(fresh, "c@example.com")].joined(separator: "\n"))
            var options = PolicyImporter.Options()
            options.keepIDs = true
            options.dryRun = true
            let outcome = try await PolicyImporter(store: store, compileCheck: InProcessRegexCompileCheck())
                .load(try PolicyFileReader(path: path).read(), account: account, origin: Self.origin, options: options)
            #expect(outcome.problems.map(\.line) == [1, 3] && outcome.problems.allSatisfy { $0.field == "id" }, "\(outcome.problems)")
        }
    }

    @Test func unreadableFilesAreRefusedWhole() throws {
        #expect(throws: ImportFileError.self) { try PolicyFileReader(path: "/no/such/file.jsonl").read() }
        let wrongHeader = try temporaryFile("wrong.csv", "name,value\nx,y\n")
        #expect(throws: ImportFileError.self) { try PolicyFileReader(path: wrongHeader).read() }
    }
}

/// The store calls the body one batch at a time.
private final class Collected: @unchecked Sendable {
    private(set) var all: [[AllowPolicy]] = []
    func append(_ batch: [AllowPolicy]) { all.append(batch) }
}
