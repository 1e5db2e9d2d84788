import Foundation
import SafelistCore
import SafelistPostgres
import SafelistSQLite

/// `safelist-bench list [--policies N] [--repeat R] [--database PATH] [--postgres URL]`
///
/// Loads N policies (default 1,000,000) into one account of a fresh SQLite file — and, with
/// `--postgres`, of that PostgreSQL database, in the same run — then times deep
/// list pages through the store (the path the API uses) in every order, with and without a
/// filter, against a baseline built in the same run: the plain `LIMIT … OFFSET …` query with no
/// deferred join. Prints medians of R runs (default 5). Then walks every page in order, as the
/// SDKs' auto-paging does, through the store (which seeks past the previous page) and through
/// the baseline (which skips with OFFSET every time), and times one substring search.
struct Arguments {
    var policies = 1_000_000
    var repeats = 5
    var database: String?
    var postgres: String?
    var walk = true

    init(_ commandLine: ArraySlice<String>) throws {
        var rest = commandLine
        guard rest.first == "list" else { throw Usage() }
        rest.removeFirst()
        while let flag = rest.popFirst() {
            if flag == "--no-walk" {
                walk = false
                continue
            }
            guard let value = rest.popFirst() else { throw Usage() }
            switch flag {
            case "--policies": policies = Int(value) ?? policies
            case "--repeat": repeats = Int(value) ?? repeats
            case "--database": database = value
            case "--postgres": postgres = value
            default: throw Usage()
            }
        }
    }

    struct Usage: Error, CustomStringConvertible {
        var description: String { "usage: safelist-bench list [--policies N] [--repeat R] [--database PATH] [--postgres URL] [--no-walk]" }
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// A realistic mix: addresses, domains, IPv4 and IPv6 blocks, a few regexes, mixed flags.
func policy(_ index: Int, account: AccountID, base: Int64) throws -> AllowPolicy {
    let pattern: String, type: PatternType
    switch index % 4 {
    case 0: (pattern, type) = ("user\(index)@sender\(index % 5000).example", .email)
    case 1: (pattern, type) = ("mx\(index).partner\(index % 7000).example", .domain)
    case 2: (pattern, type) = ("\(20 + (index >> 16) % 80).\(index >> 8 & 0xFF).\(index & 0xFF).0/24", .ip)
    default: (pattern, type) = ("2606:\(String(index >> 16, radix: 16)):\(String(index & 0xFFFF, radix: 16))::/48", .ip)
    }
    let canonical = try PatternValidator.validate(pattern, type: type, isRegex: false)
    let fields = PolicyFields(
        pattern: canonical, patternType: type, isRegex: false,
        isTrustedSender: index % 3 == 0, isExemptRecipient: index % 5 == 0,
        isAcceptableSender: index % 7 == 0, verifySender: index % 2 == 0,
        comments: index % 10 == 0 ? "imported batch \(index / 1000)" : nil)
    return AllowPolicy(accountID: account, fields: fields, now: Timestamp(microseconds: base + Int64(index)))
}

/// What the list benchmark needs of a store: the API's path, the baseline, and a bulk load.
protocol BenchStore: PolicyStore, PolicyBulkLoader {
    func naiveListPage(account: AccountID, query: ListQuery) async throws -> Int
}

extension SQLiteStore: BenchStore {}
extension PostgresStore: BenchStore {}

func runListBenchmark() async throws {
    let account = AccountID("0123456789abcdef0123456789abcdef")!
    let clock = ContinuousClock()
    let arguments: Arguments
    do {
        arguments = try Arguments(CommandLine.arguments.dropFirst())
    } catch {
        print(error)
        exit(2)
    }

    /// What the benchmark needs of a store: the API's path, the baseline, and a bulk load.

    func measure(_ store: some BenchStore, name: String, afterLoad: () async throws -> Void = {}) async throws {
        print("== \(name)")
        let existing = try await store.list(account: account, query: ListQuery()).totalCount
        if existing < arguments.policies {
            print("loading \(arguments.policies) policies into one account…")
            let base = Timestamp.now().microseconds
            let start = clock.now
            var index = existing
            while index < arguments.policies {
                let end = min(index + 50_000, arguments.policies)
                try await store.insert((index..<end).map { try policy($0, account: account, base: base) })
                index = end
            }
            try await afterLoad()
            print(
                String(
                    format: "load: %.1f s (%.0f policies/s, every index maintained)",
                    seconds(clock.now - start), Double(arguments.policies - existing) / seconds(clock.now - start)))
        }

        let perPage = 1000
        let deepPage = max(1, arguments.policies / perPage)
        print("page \(deepPage) of \(arguments.policies) policies, per_page \(perPage), median of \(arguments.repeats):")
        print("shape".padding(toLength: 52, withPad: " ", startingAt: 0) + "  store (ms)  baseline (ms)  ratio")
        for order in [ListQuery.Order.createdAt, .pattern] {
            for direction in [ListQuery.Direction.asc, .desc] {
                for filter in ["none", "is_trusted_sender=true", "is_exempt_recipient=false", "pattern_type=IP"] {
                    var query = ListQuery()
                    query.order = order
                    query.direction = direction
                    query.perPage = perPage
                    switch filter {
                    case "is_trusted_sender=true": query.isTrustedSender = true
                    case "is_exempt_recipient=false": query.isExemptRecipient = false
                    case "pattern_type=IP": query.patternType = .ip
                    default: break
                    }
                    // A deep page that exists for this filter.
                    let total = try await store.list(account: account, query: query).totalCount
                    query.page = max(1, min(deepPage, total / perPage))
                    var measured: [Double] = []
                    var baseline: [Double] = []
                    var count = 0
                    for _ in 0..<arguments.repeats {
                        let start = clock.now
                        count = try await store.list(account: account, query: query).policies.count
                        measured.append(seconds(clock.now - start) * 1000)
                        let baseStart = clock.now
                        let rows = try await store.naiveListPage(account: account, query: query)
                        baseline.append(seconds(clock.now - baseStart) * 1000)
                        precondition(rows == count, "baseline and store disagree")
                    }
                    let label = "\(order.rawValue) \(direction.rawValue), \(filter), page \(query.page)"
                    print(
                        label.padding(toLength: 52, withPad: " ", startingAt: 0)
                            + String(format: "  %10.1f  %13.1f  %5.1fx", median(measured), median(baseline), median(baseline) / median(measured)))
                }
            }
        }

        guard arguments.walk else { return }
        print("")
        print("a whole walk, per_page \(perPage), created_at asc, as SDK auto-paging does:")
        var walk = ListQuery()
        walk.perPage = perPage
        var walked = 0
        var start = clock.now
        while true {
            let page = try await store.list(account: account, query: walk).policies.count
            if page == 0 { break }
            walked += page
            walk.page += 1
        }
        let seekingWalk = seconds(clock.now - start)
        walk.page = 1
        start = clock.now
        var baselineWalked = 0
        while true {
            let page = try await store.naiveListPage(account: account, query: walk)
            if page == 0 { break }
            baselineWalked += page
            walk.page += 1
        }
        let offsetWalk = seconds(clock.now - start)
        precondition(walked == baselineWalked && walked == arguments.policies, "walks disagree")
        print(
            String(
                format: "store (seeks past each page): %.1f s for %d policies (%.1f ms a page)", seekingWalk, walked,
                seekingWalk * 1000 / Double(walk.page - 1)))
        print(
            String(
                format: "baseline (OFFSET every page): %.1f s (%.1f ms a page), ratio %.1fx", offsetWalk,
                offsetWalk * 1000 / Double(walk.page - 1), offsetWalk / seekingWalk))

        var search = ListQuery()
        search.search = "batch 77"
        search.perPage = perPage
        start = clock.now
        let found = try await store.list(account: account, query: search)
        print(
            String(
                format: "search=\"batch 77\" (substring, scans the account): %.1f ms, %d matches",
                seconds(clock.now - start) * 1000, found.totalCount))
    }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safelist-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = arguments.database ?? directory.appendingPathComponent("bench.sqlite").path
    var options = SQLiteStore.Options()
    options.synchronous = .normal

    try await measure(try SQLiteStore(path: path, options: options), name: "SQLite \(path)")

    if let url = arguments.postgres {
        var postgresOptions = PostgresStore.Options()
        postgresOptions.timeout = .seconds(600)
        let postgres = try PostgresStore(location: PostgresLocation(url: url), options: postgresOptions)
        let service = Task { await postgres.run() }
        try await postgres.waitUntilReady(retrying: false)
        print("")
        try await measure(postgres, name: "PostgreSQL \(postgres.location)") { try await postgres.vacuumAnalyze() }
        service.cancel()
    }
}
