import Foundation
import SafelistCore
import SafelistEngine
import SafelistTesting
import Testing

/// The optimised engine against `ReferenceMatcher` on random corpora: whatever the tables,
/// filters, chunking, base and delta do, every message must match exactly the policies the
/// plain reading of the spec says. Each seed is one corpus; a failure names its seed, and
/// `SAFELIST_DIFFERENTIAL_SEED=N` replays one.
@Suite("Differential: the engine against the reference matcher")
struct DifferentialTests {
    static var seeds: [UInt64] {
        if let text = ProcessInfo.processInfo.environment["SAFELIST_DIFFERENTIAL_SEED"], let seed = UInt64(text) { return [seed] }
        return [1, 2, 3, 4, 5, 6]
    }

    @Test(arguments: seeds)
    func randomCorpusBaseDeltaAndMerge(seed: UInt64) async throws {
        var random = SplitMix(seed: seed)
        var corpus = RandomCorpus()
        try await StoreKind.sqlite.withStore { store in
            var live: [PolicyID: AllowPolicy] = [:]
            for fields in corpus.policies(300, &random) {
                guard let created = try? await store.create(account: account, fields: fields) else { continue }
                live[created.id] = created
            }
            var options = EngineOptions()
            options.deltaLimit = 40
            options.tailLimit = 20
            options.freshLimit = 6
            options.shardSize = 64
            let engine = PolicyEngine(feed: store, options: options)

            // The base alone.
            try await Self.compare(engine, live, corpus.messages(150, from: live, &random), "seed \(seed), base")

            // Writes land in the fresh layer, which joins the tail every few writes; the tail
            // passes its limit and is folded into the delta every round or two: creates, edits that move a pattern (of a policy in any
            // layer), deletes.
            for round in 0..<3 {
                for fields in corpus.policies(15, &random) {
                    guard let created = try? await store.create(account: account, fields: fields) else { continue }
                    live[created.id] = created
                }
                try await engine.refresh(account: account)
                for id in live.keys.sorted().prefix(5) where random.next() % 2 == 0 {
                    guard let fields = corpus.policies(1, &random).first else { continue }
                    let edit = PolicyEdit(pattern: fields.pattern.stored, patternType: fields.patternType, isRegex: fields.isRegex)
                    if let edited = try? await store.edit(account: account, id: id, edit: edit) { live[id] = edited }
                }
                for id in live.keys.sorted().suffix(4) where random.next() % 3 == 0 {
                    try await store.delete(account: account, id: id)
                    live[id] = nil
                }
                try await engine.refresh(account: account)
                try await Self.compare(engine, live, corpus.messages(150, from: live, &random), "seed \(seed), delta round \(round)")
            }

            // Enough writes to pass the delta limit: a merge folds the delta into the base.
            for fields in corpus.policies(60, &random) {
                guard let created = try? await store.create(account: account, fields: fields) else { continue }
                live[created.id] = created
                try await engine.refresh(account: account)
            }
            for _ in 0..<200 where await engine.mergesCompleted(account: account) == 0 { try await Task.sleep(for: .milliseconds(25)) }
            #expect(await engine.mergesCompleted(account: account) > 0, "seed \(seed): no merge happened")
            try await Self.compare(engine, live, corpus.messages(150, from: live, &random), "seed \(seed), after a merge")
        }
    }

    /// One batch (across several chunks) and each message alone, both against the reference.
    static func compare(_ engine: PolicyEngine, _ live: [PolicyID: AllowPolicy], _ messages: [MailMessage], _ label: String) async throws {
        let reference = ReferenceMatcher(policies: Array(live.values))
        let snapshot = try await engine.snapshot(for: account)
        let prepared = messages.map(PreparedMessage.init)
        let batch = snapshot.evaluate(prepared)
        var matched = 0
        for (index, message) in messages.enumerated() {
            let expected = reference.matches(message)
            let batched = Set(batch[index].matches.map(\.policy.id))
            let alone = Set(snapshot.evaluate(prepared[index]).matches.map(\.policy.id))
            #expect(batched == expected, "\(label), message \(index): \(message)")
            #expect(alone == expected, "\(label), message \(index) alone: \(message)")
            matched += expected.isEmpty ? 0 : 1
        }
        // A corpus where nothing matches would prove nothing.
        #expect(matched > messages.count / 10, "\(label): only \(matched) of \(messages.count) messages matched anything")
    }
}

/// Random policies of every kind and messages aimed at them: names under a few shared roots so
/// that domains nest, internationalised names in both spellings, IPv4 and IPv6 blocks nested in
/// each other, regexes with and without an anchored literal.
struct RandomCorpus {
    static let roots = ["example.com", "corp.example", "bücher.example", "xn--caf-dma.example", "mail.example.net"]
    static let labels = ["a", "b", "mx", "eu", "mail", "relay", "smtp", "ünï"]
    static let users = ["ann", "bob", "ceo", "noreply", "billing-7", "Zoë"]

    mutating func policies(_ count: Int, _ random: inout SplitMix) -> [PolicyFields] {
        (0..<count).compactMap { _ in policy(&random) }
    }

    private func policy(_ random: inout SplitMix) -> PolicyFields? {
        let (pattern, type, regex): (String, PatternType, Bool)
        switch random.next() % 9 {
        case 0, 1: (pattern, type, regex) = ("\(pick(Self.users, &random))@\(domain(&random))", .email, false)
        case 2, 3: (pattern, type, regex) = (domain(&random), .domain, false)
        case 4: (pattern, type, regex) = (ipv4Block(&random), .ip, false)
        case 5: (pattern, type, regex) = (ipv6Block(&random), .ip, false)
        case 6: (pattern, type, regex) = (".*@\(escaped(domain(&random)))", .email, true)
        case 7: (pattern, type, regex) = ("(ann|bob|ceo)[0-9]*@.*", .email, true)
        default: (pattern, type, regex) = ("([a-z0-9-]+\\.)*\(escaped(pick(Self.roots, &random)))", .domain, true)
        }
        guard let canonical = try? PatternValidator.validate(pattern, type: type, isRegex: regex) else { return nil }
        let grant = random.next() % 4
        return PolicyFields(
            pattern: canonical, patternType: type, isRegex: regex,
            isTrustedSender: grant == 0 || grant == 3, isExemptRecipient: grant == 1 || grant == 3,
            isAcceptableSender: grant == 2, verifySender: random.next() % 3 == 0, comments: nil)
    }

    /// Messages whose subjects are drawn from the live policies' own patterns (made into
    /// subjects: a subdomain under a DOMAIN, an address inside an IP block) or are near misses.
    func messages(_ count: Int, from live: [PolicyID: AllowPolicy], _ random: inout SplitMix) -> [MailMessage] {
        let policies = live.values.sorted { $0.id < $1.id }
        return (0..<count).map { _ in
            func address() -> String {
                guard let policy = policies.isEmpty ? nil : policies[Int(random.next() % UInt64(policies.count))],
                    random.next() % 3 != 0
                else { return "\(pick(Self.users, &random))@\(domain(&random))" }
                switch (policy.patternType, policy.isRegex) {
                case (.email, false): return random.next() % 4 == 0 ? policy.pattern.uppercased() : policy.pattern
                case (.domain, false): return "\(pick(Self.users, &random))@\(pick(Self.labels, &random)).\(policy.pattern)"
                default: return "\(pick(Self.users, &random))\(random.next() % 10)@\(domain(&random))"
                }
            }
            let recipients = (0...random.next() % 3).compactMap { _ in EmailSubject(address()) }
            let ip = random.next() % 2 == 0 ? ipv4Address(&random) : ipv6Address(&random)
            return MailMessage(
                envelopeFrom: EmailSubject(address()), headerFrom: headerAddresses(address()),
                replyTo: random.next() % 3 == 0 ? headerAddresses(address()) : [],
                recipients: recipients.isEmpty ? [EmailSubject("x@y.example")].compactMap { $0 } : recipients,
                clientIP: try? IPBlock.parse(ip),
                clientHostname: random.next() % 2 == 0 ? MatchingName.normalize("\(pick(Self.labels, &random)).\(domain(&random))") : nil,
                auth: AuthResults(spf: random.next() % 2 == 0 ? .pass : .fail))
        }
    }

    private func domain(_ random: inout SplitMix) -> String {
        let root = pick(Self.roots, &random)
        switch random.next() % 3 {
        case 0: return root
        case 1: return "\(pick(Self.labels, &random)).\(root)"
        default: return "\(pick(Self.labels, &random)).\(pick(Self.labels, &random)).\(root)"
        }
    }

    /// Blocks inside 203.0.113.0/24 and 198.51.100.0/24 of several lengths, so they nest.
    private func ipv4Block(_ random: inout SplitMix) -> String {
        let prefix = [24, 25, 26, 28, 32][Int(random.next() % 5)]
        let host = UInt32(random.next() % 256) & ((0xFF << UInt32(32 - prefix)) & 0xFF)
        let base = random.next() % 2 == 0 ? "203.0.113" : "198.51.100"
        return prefix == 32 ? "\(base).\(host)" : "\(base).\(host)/\(prefix)"
    }

    private func ipv4Address(_ random: inout SplitMix) -> String {
        let base = random.next() % 2 == 0 ? "203.0.113" : "198.51.100"
        let address = "\(base).\(random.next() % 256)"
        return random.next() % 5 == 0 ? "::ffff:" + address : address
    }

    private func ipv6Block(_ random: inout SplitMix) -> String {
        switch random.next() % 4 {
        case 0: "2001:db8::/32"
        case 1: "2001:db8:\(String(random.next() % 4, radix: 16))::/48"
        case 2: "2001:db8:\(String(random.next() % 4, radix: 16)):\(String(random.next() % 4, radix: 16))::/64"
        default: "2001:db8:\(String(random.next() % 4, radix: 16))::\(String(random.next() % 8, radix: 16))"
        }
    }

    private func ipv6Address(_ random: inout SplitMix) -> String {
        "2001:db8:\(String(random.next() % 4, radix: 16)):\(String(random.next() % 4, radix: 16))::\(String(random.next() % 8, radix: 16))"
    }

    private func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: ".", with: "\\.")
    }

    private func pick(_ list: [String], _ random: inout SplitMix) -> String {
        list[Int(random.next() % UInt64(list.count))]
    }
}
