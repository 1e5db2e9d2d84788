import SafelistCore
import SafelistEngine
import SafelistTesting
import Testing

/// Evaluations run a batch at a time, in chunks, with regex scans skipped for subjects that
/// lack every pattern's anchored literal. Neither may change an answer.
@Suite("Batch matching and the regex filter give the answers of one message at a time")
struct BatchMatchingTests {
    static let policies: [TestPolicy] = [
        .email(".*@corp\\.example", regex: true).trustedSender,
        .email("(ceo|cfo)@board\\.example", regex: true).exemptRecipient,
        .domain("([a-z0-9-]+\\.)*tenant\\.example", regex: true).acceptableSender,
        .ip("10\\.9\\.8\\.[0-9]+", regex: true).trustedSender,
        // No anchored literal: scanned for every subject.
        .email("[a-z]+[0-9]+@[a-z]+\\.(net|org)", regex: true).acceptableSender,
        .email("known@literal.example").trustedSender,
        .domain("partner.example").exemptRecipient,
        .ip("192.0.2.0/24").acceptableSender,
    ]

    @Test func filteredAndUnfilteredRegexesStillMatch() async throws {
        let results = try await evaluate(
            Self.policies,
            [
                message(from: "anyone@corp.example"),
                // The filter lets it through (same suffix); the scan then says no.
                message(from: "x@y.example", to: ["ceo@board.example", "intern@board.example"]),
                message(from: "a@mail.eu.tenant.example"),
                message(from: "a@b.example", ip: "10.9.8.77"),
                message(from: "news42@shop.net"),
                // Not plain ASCII: scanned whatever the literals say, and still matched.
                message(from: "jürgen@corp.example"),
                message(from: "nobody@nowhere.example", ip: "10.9.7.1"),
            ])
        #expect(results[0].matched == [".*@corp\\.example <- envelope_from"])
        #expect(results[1].matched == ["(ceo|cfo)@board\\.example <- recipients[0]"])
        #expect(results[1].exemptRecipients == [0])
        #expect(results[2].matched == ["([a-z0-9-]+\\.)*tenant\\.example <- envelope_from"])
        #expect(results[3].matched == ["10\\.9\\.8\\.[0-9]+ <- client_ip"])
        #expect(results[4].matched == ["[a-z]+[0-9]+@[a-z]+\\.(net|org) <- envelope_from"])
        #expect(results[5].matched == [".*@corp\\.example <- envelope_from"])
        #expect(results[6].matched.isEmpty)
    }

    /// More messages than a chunk, repeated addresses, hits in every position: one call for
    /// all gives what one call each gives.
    @Test func aBatchEqualsOneMessageAtATime() async throws {
        let senders = ["anyone@corp.example", "x@y.example", "a@mail.tenant.example", "known@literal.example", "news7@shop.org", "z@q.example"]
        let recipients = ["ceo@board.example", "staff@partner.example", "cfo@board.example", "r@inbound.example"]
        var messages: [MailMessage] = []
        for index in 0..<150 {
            let from = senders[index % senders.count]
            let to = (0...(index % 3)).map { recipients[(index + $0) % recipients.count] }
            let ip = index % 4 == 0 ? "10.9.8.\(index % 250)" : index % 4 == 1 ? "192.0.2.\(index % 250)" : "203.0.113.\(index % 250)"
            messages.append(message(from: from, header: index % 5 == 0 ? senders[(index + 1) % senders.count] : nil, to: to, ip: ip))
        }
        try await StoreKind.sqlite.withStore { store in
            for policy in Self.policies { _ = try await store.create(account: account, fields: policy.fields) }
            let snapshot = try await PolicyEngine(feed: store).snapshot(for: account)
            let batch = snapshot.evaluate(messages.map(PreparedMessage.init))
            #expect(batch.count == messages.count)
            var matchedMessages = 0
            for (index, message) in messages.enumerated() {
                let single = snapshot.evaluate(message)
                #expect(batch[index].matched == single.matched, "message \(index)")
                #expect(batch[index].exemptRecipients == single.exemptRecipients, "message \(index)")
                #expect(batch[index].trustedSender == single.trustedSender, "message \(index)")
                #expect(batch[index].acceptableSender == single.acceptableSender, "message \(index)")
                matchedMessages += single.matches.isEmpty ? 0 : 1
            }
            // Most messages match something, so the comparison is not of empty answers.
            #expect(matchedMessages > 100)
        }
    }

    /// Parents are looked up from the dot positions the chunk's scan recorded: names deeper
    /// and longer than a word, dots on word boundaries, a sender whose bytes were given back
    /// because header_from repeats it.
    @Test func parentsOfDeepAndLongNames() async throws {
        // Longer than a word and than 64 bytes; a label may not pass 63.
        let long = String(repeating: "l", count: 40) + "." + String(repeating: "m", count: 30)
        let results = try await evaluate(
            [
                .domain("example.com").trustedSender,
                .domain("h.i.j.example.com").acceptableSender,
                .domain("\(long).example.com").exemptRecipient,
                .domain("abcdefg.example").exemptRecipient,
            ],
            [
                message(from: "someone@a.b.c.d.e.f.g.h.i.j.example.com", header: "someone@a.b.c.d.e.f.g.h.i.j.example.com"),
                message(from: "x@badexample.com", to: ["r@mx.\(long).example.com", "s@\(long)x.example.com"]),
                // `.` as the eighth byte of the domain, and as the ninth.
                message(from: "x@other.example", to: ["t@1234567.abcdefg.example", "u@12345678.abcdefg.example", "v@abcdefgh.example"]),
                message(from: "x@other.example", host: "relay.\(long).example.com"),
            ])
        #expect(
            results[0].matched == [
                "example.com <- envelope_from", "h.i.j.example.com <- envelope_from",
                "example.com <- header_from[0]", "h.i.j.example.com <- header_from[0]",
            ])
        #expect(results[1].matched == ["\(long).example.com <- recipients[0]"])
        #expect(results[2].matched == ["abcdefg.example <- recipients[0]", "abcdefg.example <- recipients[1]"])
        #expect(results[3].matched == ["example.com <- client_hostname"])
    }
}
