import SafelistCore

/// Loads what `PolicyFileReader` read into an account: regexes checked as a create checks
/// them, conflicts found per row (with the account's policies, and between rows of the file),
/// then every good row in one transaction (`PolicyBulkLoader`): the engine sees the import as
/// one change, and the audit trail records each policy as an import.
public struct PolicyImporter: Sendable {
    public struct Options: Sendable {
        /// Report every problem and write nothing.
        public var dryRun = false
        /// Load the good rows even when others have problems (which are still reported).
        public var skipInvalid = false
        /// Keep the file's ids and times (an export read back); new ones otherwise.
        public var keepIDs = false
        /// A row whose pattern an existing policy has replaces that policy (its id and creation
        /// time stay) instead of being reported.
        public var upsert = false
        /// PostgreSQL: drop the policies' secondary indexes for a large load and build them
        /// after, holding the table meanwhile (`BulkIndexing.rebuiltExclusively`).
        public var rebuildIndexes = false

        public init() {}
    }

    public struct Outcome: Sendable {
        public var imported = 0
        /// Existing policies a row replaced (`upsert`).
        public var replaced = 0
        public var problems: [ImportProblem] = []
        /// Nothing was written because of the problems (and no `--skip-invalid`).
        public var refused = false
    }

    let store: any PolicyStore & PolicyBulkLoader
    let compileCheck: any RegexCompileCheck

    public init(store: any PolicyStore & PolicyBulkLoader, compileCheck: any RegexCompileCheck) {
        self.store = store
        self.compileCheck = compileCheck
    }

    public func load(
        _ file: PolicyFileReader.Result, account: AccountID, origin: ChangeOrigin, options: Options, now: Timestamp = .now()
    ) async throws -> Outcome {
        var outcome = Outcome()
        outcome.problems = file.problems
        // Made on another core while the checks run: every row's policy, a microsecond apart in
        // file order (listed by creation time, the policies keep the file's order, as the posts
        // of one batch do). A refused row's is dropped after.
        async let made = options.dryRun ? [] : Self.policies(file.records, account: account, keepingIDs: options.keepIDs, now: now)
        outcome.problems += try await regexProblems(file.records)
        let found = try await conflicts(file.records, account: account, options: options)
        outcome.problems += found.problems
        outcome.problems.sort { ($0.line, $0.field) < ($1.line, $1.field) }
        if options.dryRun { return outcome }
        if !outcome.problems.isEmpty, !options.skipInvalid {
            outcome.refused = true
            return outcome
        }
        let refusedLines = Set(outcome.problems.map(\.line))
        if !found.replacing.isEmpty {
            return try await upsert(
                file.records.filter { !refusedLines.contains($0.line) }, replacing: found.replacing, account: account, origin: origin,
                outcome: outcome)
        }
        let all = await made
        let policies = refusedLines.isEmpty ? all : zip(file.records, all).filter { !refusedLines.contains($0.0.line) }.map(\.1)
        if !policies.isEmpty {
            try await store.insert(policies, origin: origin, indexing: options.rebuildIndexes ? .rebuiltExclusively : .maintained)
        }
        outcome.imported = policies.count
        return outcome
    }

    private static func policies(_ records: [PolicyRecord], account: AccountID, keepingIDs: Bool, now: Timestamp) -> [AllowPolicy] {
        records.enumerated().map { index, record in
            record.policy(account: account, keepingIDs: keepingIDs, now: Timestamp(microseconds: now.microseconds + Int64(index)))
        }
    }

    /// Each distinct regex compiled once, as the engine will compile it.
    private func regexProblems(_ records: [PolicyRecord]) async throws -> [ImportProblem] {
        var lines: [String: [Int]] = [:]
        for record in records where record.fields.isRegex { lines[record.fields.pattern.stored, default: []].append(record.line) }
        guard !lines.isEmpty else { return [] }
        let patterns = Array(lines.keys)
        let budget = RegexBudget(perRequest: .seconds(max(60, patterns.count * 2)))
        let results = try await compileCheck.check(patterns, budget: budget)
        var problems: [ImportProblem] = []
        for (pattern, problem) in zip(patterns, results) {
            guard let problem else { continue }
            for line in lines[pattern] ?? [] { problems.append(ImportProblem(line: line, field: "pattern", message: problem.message)) }
        }
        return problems
    }

    /// Rows that replace existing policies, with the rest, in one write through the store's
    /// planner: one transaction, each replacement audited with the policy before it.
    private func upsert(
        _ records: [PolicyRecord], replacing: [Int: PolicyID], account: AccountID, origin: ChangeOrigin, outcome: Outcome
    ) async throws -> Outcome {
        var request = BatchRequest()
        for record in records {
            if let id = replacing[record.line] {
                request.puts.append(.init(id: id, fields: record.fields))
            } else {
                request.posts.append(.init(fields: record.fields))
            }
        }
        let result = try await store.write(account: account, request: request.from(origin))
        var outcome = outcome
        outcome.imported = result.posts.count
        outcome.replaced = result.puts.count
        return outcome
    }

    /// A row whose pattern an existing policy or an earlier row already has, or (keeping ids)
    /// whose id is taken. With `upsert`, a row whose pattern an existing policy has is to
    /// replace it: those come back by line, with the policy.
    private func conflicts(
        _ records: [PolicyRecord], account: AccountID, options: Options
    ) async throws -> (problems: [ImportProblem], replacing: [Int: PolicyID]) {
        let keepingIDs = options.keepIDs
        let existing = try await store.conflictKeys(account: account)
        var problems: [ImportProblem] = []
        var replacing: [Int: PolicyID] = [:]
        var firstLine: [PolicyConflictKey: Int] = [:]
        firstLine.reserveCapacity(records.count)
        for record in records {
            let key = PolicyConflictKey(record.fields)
            if let line = firstLine[key] {
                problems.append(
                    ImportProblem(line: record.line, field: "pattern", message: "the same pattern, pattern_type and is_regex as line \(line)"))
            } else if let id = existing[key] {
                if options.upsert {
                    replacing[record.line] = id
                    firstLine[key] = record.line
                } else {
                    problems.append(
                        ImportProblem(
                            line: record.line, field: "pattern",
                            message: "a policy with this pattern, pattern_type and is_regex already exists (\(id.rawValue))"))
                }
            } else {
                firstLine[key] = record.line
            }
        }
        guard keepingIDs else { return (problems, replacing) }
        var idLines: [PolicyID: Int] = [:]
        for record in records {
            guard let id = record.id else { continue }
            if let line = idLines[id] {
                problems.append(ImportProblem(line: record.line, field: "id", message: "the same id as line \(line)"))
            } else {
                idLines[id] = record.line
            }
        }
        for id in try await store.existingIDs(Array(idLines.keys)) {
            problems.append(ImportProblem(line: idLines[id] ?? 0, field: "id", message: "a policy with id \(id.rawValue) already exists"))
        }
        return (problems, replacing)
    }
}
