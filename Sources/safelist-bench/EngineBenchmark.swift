import CBenchSupport
import Foundation
import SafelistCore
import SafelistEngine
import SafelistRegex
import SafelistSQLite
import SafelistTesting

/// `safelist-bench engine [--literals N] [--regexes N] [--messages N] [--scan-messages N]
/// [--visibility-regexes N] [--profile-rounds N]`
///
/// Builds one account of N literal policies (EMAIL, DOMAIN, IPv4, IPv6) and N regexes, then
/// evaluates a message mix (a tenth match something) on one thread: throughput, and latency
/// per evaluation. The same messages go through two baselines built in the same run: a linear
/// scan over every policy (which also checks the engine's answers), and a `Set` of exact
/// addresses. Last, through a real SQLite store at N regexes, the time from a regex write's
/// commit until an evaluation sees it. `--profile-rounds` replaces the measurements with a
/// loop for `perf` (see `EngineBenchmark+Profile.swift`).
struct EngineBenchmark {
    var literals = 1_000_000
    var regexes = 1_000
    var messages = 500_000
    var scanMessages = 300
    var visibilityRegexes = 10_000
    var profileRounds = 0

    init(_ arguments: ArraySlice<String>) throws {
        for (flag, value) in try BenchUsage.integerFlags(arguments) {
            switch flag {
            case "--literals": literals = value
            case "--regexes": regexes = value
            case "--messages": messages = value
            case "--scan-messages": scanMessages = value
            case "--visibility-regexes": visibilityRegexes = value
            case "--profile-rounds": profileRounds = value
            default: throw BenchUsage()
            }
        }
    }

    let account = AccountID("0123456789abcdef0123456789abcdef")!
    let clock = ContinuousClock()

    func run() async throws {
        print("== engine: \(literals) literal policies + \(regexes) regexes in one account, \(messages) messages")
        let generated = clock.now
        let corpus = BenchCorpus(account: account, literals: literals, regexes: regexes, messages: messages)
        print(
            String(
                format: "generated in %.1f s; %d of %d messages planted to match (%.1f%%)",
                seconds(clock.now - generated), corpus.hitsPlanned, messages,
                Double(corpus.hitsPlanned) * 100 / Double(max(messages, 1))))

        let feed = MemoryFeed(account: account, policies: corpus.literals + corpus.regexes)
        let rssBefore = residentBytes(), heapBefore = heapInUse()
        let engine = PolicyEngine(feed: feed)
        let buildStart = clock.now
        let snapshot = try await engine.snapshot(for: account)
        let buildTime = seconds(clock.now - buildStart)
        let rssAfter = residentBytes(), heapAfter = heapInUse()
        let count = Double(max(snapshot.policyCount, 1))
        print(
            String(
                format: "build: %.2f s for %d policies (%d regex shards, 5 groups); from the store's rows to a published snapshot",
                buildTime, snapshot.policyCount, snapshot.regexShardCount))
        print(
            String(
                format:
                    "memory: heap kept by the engine %.0f MiB (%.0f bytes a policy); resident set grew %.0f MiB (%.0f bytes a policy, build garbage included)",
                Double(heapAfter - heapBefore) / 1_048_576, Double(heapAfter - heapBefore) / count,
                Double(rssAfter - rssBefore) / 1_048_576, Double(rssAfter - rssBefore) / count))

        let parsed = corpus.messages.map(Self.message)
        if profileRounds > 0 { return profile(snapshot, corpus, parsed) }

        print("")
        print("one thread, \(messages) messages, in batches of 1,000 parsed just before they are evaluated:")
        print("  batched: each batch in one call, as the evaluate endpoint takes them; single: one call a message;")
        print("  latency: of each single call")
        print("method".padding(toLength: 34, withPad: " ", startingAt: 0) + "   batched    single       p50      p99     p99.9  matched msgs")
        let engineRun = Self.measure(
            corpus.messages, batch: { snapshot.evaluate($0).count { !$0.matches.isEmpty } },
            single: { snapshot.evaluate($0).matches.count })
        report("engine (tables + Vectorscan)", engineRun)
        // Parsing the raw envelope into matching form (laying out its subjects included) is the
        // caller's work, timed apart: each batch's first parse in `measure`.
        print(String(format: "  normalising a message before it is evaluated (not in the figures): %.0f ns", engineRun.normalisation))

        let scan = ReferenceMatcher(policies: corpus.literals + corpus.regexes)
        let setBaseline = Set(corpus.literals.filter { $0.patternType == .email }.map(\.matchKey))
        let setRun = Self.measure(corpus.messages) { prepared in
            let message = prepared.message
            var found = 0
            if let from = message.envelopeFrom, setBaseline.contains(from.address) { found += 1 }
            for from in message.headerFrom where setBaseline.contains(from.address) { found += 1 }
            for recipient in message.recipients where setBaseline.contains(recipient.address) { found += 1 }
            return found
        }
        report("baseline: Set of exact addresses", setRun, note: "(exact EMAIL literals only)")
        let sample = Array(parsed.prefix(scanMessages))
        let scanRun = Self.measure(Array(corpus.messages.prefix(scanMessages))) { scan.matches($0.message).count }
        report("baseline: linear scan", scanRun, note: "(\(sample.count) messages)")
        print(
            String(
                format: "engine vs linear scan: %.0fx the throughput; vs Set lookup: %.2fx batched, %.2fx single",
                engineRun.batched / scanRun.batched, engineRun.batched / setRun.batched, engineRun.single / setRun.single))

        // The linear scan is the reference: the engine must find exactly the same policies.
        var checked = 0
        for message in sample {
            let expected = scan.matches(message.message)
            let actual = Set(snapshot.evaluate(message).matches.map(\.policy.id))
            guard expected == actual else {
                print("MISMATCH for \(message.message): engine \(actual.count) policies, linear scan \(expected.count)")
                exit(1)
            }
            checked += expected.isEmpty ? 0 : 1
        }
        print("engine and linear scan agree on all \(sample.count) sampled messages (\(checked) with matches)")

        if visibilityRegexes > 0 { try await measureVisibility() }
    }

    static func message(_ raw: BenchCorpus.RawMessage) -> PreparedMessage {
        PreparedMessage(
            MailMessage(
                envelopeFrom: EmailSubject(raw.envelopeFrom), headerFrom: [EmailSubject(raw.headerFrom)].compactMap { $0 },
                recipients: raw.recipients.compactMap { EmailSubject($0) }, clientIP: try? IPBlock.parse(raw.clientIP),
                clientHostname: raw.hostname, auth: AuthResults(spf: raw.spfPass ? .pass : .fail)))
    }

    struct Run {
        /// Evaluations a second, a batch a call and a message a call.
        var batched: Double, single: Double
        var p50: Double, p99: Double, p999: Double
        var matched: Int
        /// Nanoseconds to make a message from its raw envelope.
        var normalisation: Double
    }

    /// A baseline with no batch form: a batch is its messages one by one.
    static func measure(_ raw: [BenchCorpus.RawMessage], _ evaluate: (PreparedMessage) -> Int) -> Run {
        measure(raw, batch: { $0.count { evaluate($0) > 0 } }, single: evaluate)
    }

    /// Messages are parsed in batches of 1,000, as the evaluate endpoint takes them, and each
    /// batch is evaluated right after it was parsed: evaluations meet messages whose bytes are
    /// still in cache, as in a server, not a cold array of half a million. Parsing is not timed.
    /// Each batch is evaluated three times, each time freshly parsed: in one call (`batch`, timed
    /// as a whole), a message a call (timed as a whole), and a message a call timing each call.
    static func measure(_ raw: [BenchCorpus.RawMessage], batch: ([PreparedMessage]) -> Int, single: (PreparedMessage) -> Int) -> Run {
        var matched = 0
        var batchedTime: UInt64 = 0, singleTime: UInt64 = 0, parseTime: UInt64 = 0
        var latencies: [UInt64] = []
        latencies.reserveCapacity(raw.count)
        var sink = 0
        for start in stride(from: 0, to: raw.count, by: 1000) {
            let slice = raw[start..<min(start + 1000, raw.count)]
            var begin = DispatchTime.now().uptimeNanoseconds
            var messages = slice.map(Self.message)
            parseTime += DispatchTime.now().uptimeNanoseconds - begin
            begin = DispatchTime.now().uptimeNanoseconds
            matched += batch(messages)
            batchedTime += DispatchTime.now().uptimeNanoseconds - begin
            messages = slice.map(Self.message)
            begin = DispatchTime.now().uptimeNanoseconds
            for index in messages.indices { sink &+= single(messages[index]) }
            singleTime += DispatchTime.now().uptimeNanoseconds - begin
            messages = slice.map(Self.message)
            for index in messages.indices {
                let begin = DispatchTime.now().uptimeNanoseconds
                sink &+= single(messages[index])
                latencies.append(DispatchTime.now().uptimeNanoseconds - begin)
            }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1000
        }
        precondition(sink >= 0)
        let count = Double(raw.count)
        return Run(
            batched: count / (Double(batchedTime) / 1e9), single: count / (Double(singleTime) / 1e9),
            p50: percentile(0.5), p99: percentile(0.99), p999: percentile(0.999), matched: matched,
            normalisation: Double(parseTime) / count)
    }

    func report(_ name: String, _ run: Run, note: String = "") {
        print(
            name.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(format: " %9.0f %9.0f %7.2f µs %5.2f µs %6.2f µs %8d ", run.batched, run.single, run.p50, run.p99, run.p999, run.matched)
                + note)
    }

    /// A regex write through the real store: create commits, then the engine applies it
    /// (`refresh`, what the API does before acknowledging), then an evaluation must match it.
    func measureVisibility() async throws {
        print("")
        print("== regex write visibility at \(visibilityRegexes) regexes (SQLite store, engine following it)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safelist-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = SQLiteStore.Options()
        options.synchronous = .normal
        let store = try SQLiteStore(path: directory.appendingPathComponent("bench.sqlite").path, options: options)
        let now = Timestamp.now()
        try await store.insert((0..<visibilityRegexes).map { BenchCorpus.regex($0, account: account, now: now) })
        let engine = PolicyEngine(feed: store)
        let loadStart = clock.now
        let loaded = try await engine.snapshot(for: account)
        print(
            String(
                format: "initial load and compile of %d regexes: %.1f s (%d shards)",
                visibilityRegexes, seconds(clock.now - loadStart), loaded.regexShardCount))
        var commits: [Double] = [], applies: [Double] = [], deletes: [Double] = []
        for round in 0..<10 {
            let pattern = "(ceo|cfo)-\(round)[0-9]*@board\(round)\\.visibility\\.example"
            let fields = PolicyFields(
                pattern: try PatternValidator.validate(pattern, type: .email, isRegex: true), patternType: .email,
                isRegex: true, isTrustedSender: true, isExemptRecipient: false, isAcceptableSender: false,
                verifySender: false, comments: nil)
            let probe = PreparedMessage(
                MailMessage(
                    envelopeFrom: EmailSubject("ceo-\(round)7@board\(round).visibility.example"),
                    recipients: [EmailSubject("x@y.example")].compactMap { $0 }))
            let start = clock.now
            let created = try await store.create(account: account, fields: fields)
            let committed = clock.now
            try await engine.refresh(account: account)
            let visible = clock.now
            guard try await engine.evaluate(account: account, messages: [probe])[0].matches.contains(where: { $0.policy.id == created.id }) else {
                print("write \(round) not visible after refresh")
                exit(1)
            }
            commits.append(seconds(committed - start) * 1000)
            applies.append(seconds(visible - committed) * 1000)
            let deleteStart = clock.now
            try await store.delete(account: account, id: created.id)
            try await engine.refresh(account: account)
            deletes.append(seconds(clock.now - deleteStart) * 1000)
            guard try await engine.evaluate(account: account, messages: [probe])[0].matches.isEmpty else {
                print("delete \(round) still matches after refresh")
                exit(1)
            }
        }
        print(String(format: "create (validate + compile check + commit): median %.1f ms, max %.1f ms", median(commits), commits.max() ?? 0))
        print(
            String(
                format: "commit -> visible to evaluations (engine applies the write): median %.1f ms, max %.1f ms",
                median(applies), applies.max() ?? 0))
        print(
            String(
                format: "create + visible: median %.1f ms; delete + no longer matching: median %.1f ms, max %.1f ms",
                median(zip(commits, applies).map(+)), median(deletes), deletes.max() ?? 0))
        print("merges of the delta into the base meanwhile (in the background): \(await engine.mergesCompleted(account: account))")
    }
}

struct BenchUsage: Error, CustomStringConvertible {
    var description: String {
        "usage: safelist-bench engine [--literals N] [--regexes N] [--messages N] [--scan-messages N] [--visibility-regexes N]"
    }

    /// A benchmark's `--name N` pairs, in order; a flag without a whole number after it is a
    /// usage error.
    static func integerFlags(_ arguments: ArraySlice<String>) throws -> [(flag: String, value: Int)] {
        var rest = arguments, flags: [(flag: String, value: Int)] = []
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst().flatMap({ Int($0) }) else { throw BenchUsage() }
            flags.append((flag, value))
        }
        return flags
    }

    /// `--rounds N`, the only flag of the benchmarks that take one; `default` without it.
    static func rounds(_ arguments: ArraySlice<String>, default rounds: Int) throws -> Int {
        var rounds = rounds
        for (flag, value) in try integerFlags(arguments) {
            guard flag == "--rounds" else { throw BenchUsage() }
            rounds = value
        }
        return rounds
    }
}

func heapInUse() -> Int { safelist_heap_in_use() }

/// Resident set size from /proc (Linux).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
    else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
