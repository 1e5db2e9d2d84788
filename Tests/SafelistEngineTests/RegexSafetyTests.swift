import Foundation
import SafelistCore
import SafelistEngine
import SafelistRegex
import SafelistTesting
import Testing

/// Tenant regexes run in Vectorscan, which scans in time linear in the subject whatever the
/// expression; patterns it cannot run never get into the store.
@Suite("Regex safety: catastrophic patterns run in linear time; unrunnable ones are refused")
struct RegexSafetyTests {
    /// Each takes exponential time in a backtracking engine on a long run of `a` that fails at
    /// the end: 2^n steps for n characters.
    static let hostile = ["(a+)+b", "(a|aa)+$", "(.*a){20}", "(a*)*b", "(x+x+)+y", "(a|a?)+b", "([a-z]+)*@example\\.com"]

    @Test func catastrophicPatternsAreAcceptedAndScanInLinearTime() async throws {
        let policies = Self.hostile.map { TestPolicy.email($0, regex: true).trustedSender }
        // 1,000 and 100,000 characters: a backtracking engine would not finish either in the
        // lifetime of the machine; a linear one does both in well under the bounds below.
        let short = String(repeating: "a", count: 1_000) + "!@x.example"
        let long = String(repeating: "a", count: 100_000) + "!@x.example"
        try await StoreKind.sqlite.withStore { store in
            for policy in policies { _ = try await store.create(account: account, fields: policy.fields) }
            let snapshot = try await PolicyEngine(feed: store).snapshot(for: account)
            let clock = ContinuousClock()
            var elapsed: [Duration] = []
            for subject in [short, long] {
                let message = MailMessage(envelopeFrom: EmailSubject(subject), recipients: [EmailSubject("r@inbound.example")].compactMap { $0 })
                let start = clock.now
                for _ in 0..<10 { #expect(snapshot.evaluate(message).matches.isEmpty) }
                elapsed.append(clock.now - start)
            }
            // Generous bounds: ten scans of 100 KB against seven expressions.
            #expect(elapsed[1] < .seconds(5), "\(elapsed)")
            // Linear: 100x the subject costs about 100x the time, nowhere near 2^99,000.
            let ratio =
                Double(elapsed[1].components.attoseconds + elapsed[1].components.seconds * 1_000_000_000_000_000_000)
                / Double(max(1, elapsed[0].components.attoseconds + elapsed[0].components.seconds * 1_000_000_000_000_000_000))
            #expect(ratio < 10_000, "100x longer subject took \(ratio)x the time")
        }
    }

    @Test func hostilePatternsStillMatchWhatTheyDescribe() async throws {
        let evaluation = try await evaluate(
            [.email("(a+)+b@example\\.com", regex: true).trustedSender],
            [message(from: String(repeating: "a", count: 500) + "b@example.com")])[0]
        #expect(evaluation.trustedSender)
    }

    /// The write is refused with the code and Vectorscan's reason; nothing is stored.
    @Test(arguments: [
        ("(a)\\1@x\\.com", ErrorCode.unsupportedRegex, "Back-references"),
        ("(?=admin)[a-z]+@x\\.com", ErrorCode.unsupportedRegex, "Zero-width assertions"),
        ("(?<!no)reply@x\\.com", ErrorCode.unsupportedRegex, "Zero-width assertions"),
        ("(?>a+)@x\\.com", ErrorCode.unsupportedRegex, "Atomic groups"),
        ("a*+@x\\.com", ErrorCode.unsupportedRegex, "Possessive"),
        ("(?(1)a|b)", ErrorCode.unsupportedRegex, "conditional"),
        ("((a{1,100}){1,100}){1,100}", ErrorCode.unsupportedRegex, "too large"),
        ("[a-z", ErrorCode.invalidRegex, "Unterminated character class"),
        ("\\Qa.b", ErrorCode.invalidRegex, "anchored"),
        ("a)|(.*", ErrorCode.invalidRegex, "Unmatched parentheses"),
    ])
    func unrunnablePatternsAreRefusedAtWriteTime(pattern: String, code: ErrorCode, reason: String) async throws {
        try await StoreKind.sqlite.withStore { store in
            do {
                _ = try await RegexChecks.checked(store).create(account: account, fields: TestPolicy.email(pattern, regex: true).trustedSender.fields)
                Issue.record("\(pattern) was accepted")
            } catch let error as SafelistError {
                #expect(error.errors.map(\.code) == [code])
                #expect(error.errors.first?.message.contains(reason) == true, "\(error.errors)")
            }
            #expect(try await store.list(account: account, query: ListQuery()).totalCount == 0)
        }
    }

    /// A stored row the validator would refuse today (written by an older release) matches
    /// nothing and is reported, and the account's other regexes still compile and match.
    @Test func aStoredPatternVectorscanRefusesIsSkippedNotFatal() async throws {
        let opened = try await StoreKind.sqlite.open()
        let now = Timestamp.now()
        func row(_ pattern: String) -> AllowPolicy {
            AllowPolicy(
                id: .timeOrdered(), accountID: account, pattern: pattern, matchKey: pattern, patternType: .email,
                isRegex: true, isTrustedSender: true, isExemptRecipient: false, isAcceptableSender: false,
                verifySender: false, comments: nil, createdAt: now, modifiedAt: now)
        }
        try await opened.bulkInsert([row("(a)\\1@x\\.com"), row(".*@good\\.example")])
        let snapshot = try await PolicyEngine(feed: opened.store).snapshot(for: account)
        #expect(snapshot.refusedPatterns == ["(a)\\1@x\\.com"])
        #expect(snapshot.evaluate(message(from: "me@good.example")).trustedSender)
        await opened.close()
    }
}
