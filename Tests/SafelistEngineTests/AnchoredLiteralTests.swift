import SafelistRegex
import Testing

/// The engine skips a regex scan when a subject lacks the pattern's anchored literal, so a
/// literal read wrongly would make a policy miss subjects it matches. The table pins the
/// reading of each construct; the property test asks Vectorscan itself.
@Suite("Anchored literals: what every subject a pattern matches must start or end with")
struct AnchoredLiteralTests {
    @Test(arguments: [
        (".*@example\\.com", "suffix @example.com"),
        (".*@Example\\.COM$", "suffix @example.com"),
        ("^10\\.1\\.2\\.[0-9]+", "prefix 10.1.2."),
        ("mx[0-9]{1,3}\\.relay\\.example", "suffix .relay.example"),
        ("([a-z0-9-]+\\.)*tenant\\.example", "suffix tenant.example"),
        ("(alerts|billing)@vendor\\.example", "suffix @vendor.example"),
        (".*@averyveryverylongdomain\\.example", "suffix ngdomain.example"),
        ("abcd?", "prefix abc"),
        ("a{2}bcd", "suffix bcd"),
        ("[]abc]xyz", "suffix xyz"),
        ("[[:alpha:]]xyz", "suffix xyz"),
        ("[^]x]+end", "suffix end"),
        ("\\cAbcd", "suffix bcd"),
        ("abc\\x41", "prefix abc"),
        ("foo\\$", "suffix foo$"),
        ("(?:ab)cde", "suffix cde"),
        ("x#abc", "suffix abc"),
        ("ab*?cdef", "suffix cdef"),
        // Nothing can be claimed: alternation at the top, options, quoting, odd braces,
        // escapes whose arguments run on, literals too short, quantified last characters.
        ("abc|def", "none"),
        ("(?i)abcdef", "none"),
        ("(?x)a b c d", "none"),
        ("(?<n>ab)cdef", "none"),
        ("(*UTF8)abcdef", "none"),
        ("\\Qabc\\E", "none"),
        ("abc{,2}", "none"),
        ("\\x41bcdef", "none"),
        ("\\p{L}abc", "suffix abc"),
        ("a.b.c", "none"),
        ("abc+", "none"),
        ("ab", "none"),
        ("café", "prefix caf"),
        ("x$y", "none"),
    ])
    func reading(pattern: String, expected: String) {
        let literal = AnchoredLiteral.of(pattern)
        let described = literal.map { "\($0.anchor == .prefix ? "prefix" : "suffix") \($0.text)" } ?? "none"
        #expect(described == expected, "\(pattern)")
    }

    /// Random patterns over a small alphabet, every subject of up to six of its characters:
    /// whenever Vectorscan says the pattern matches a subject, the subject has the literal.
    /// Patterns are built around where a reading would go wrong: literal runs at either end,
    /// sometimes quantified, next to classes, groups, escapes and wildcards.
    @Test func literalsHoldForEverySubjectVectorscanMatches() throws {
        let alphabet: [UInt8] = Array("ab@.".utf8)
        var subjects: [[UInt8]] = [[]]
        var frontier: [[UInt8]] = [[]]
        for _ in 0..<6 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + [$0] } }
            subjects += frontier
        }
        let literals = ["a", "b", "@", "\\.", "A", "\\@"]
        let atoms = [".", "[ab]", "[^a]", "(a|b)", "(?:ab)", "(a|@.)", "\\x61", "[]a]", "\\w", "a", "b"]
        let quantifiers = ["", "", "*", "+", "?", "{0,1}", "{2}", "*?"]
        var random = Generator(seed: 7)
        func run() -> String {
            var text = ""
            for _ in 0..<(2 + random.next(3)) { text += literals[random.next(literals.count)] }
            if random.next(3) == 0 { text += quantifiers[random.next(quantifiers.count)] }
            return text
        }
        var withLiteral = 0, matchesChecked = 0
        for _ in 0..<600 {
            var pattern = random.next(5) == 0 ? "^" : ""
            if random.next(2) == 0 { pattern += run() }
            for _ in 0..<random.next(3) { pattern += atoms[random.next(atoms.count)] + quantifiers[random.next(quantifiers.count)] }
            if random.next(2) == 0 { pattern += run() }
            if random.next(5) == 0 { pattern += "$" }
            guard let literal = AnchoredLiteral.of(pattern),
                let database = try? RegexDatabase(expressions: [WholeSubjectRegex.expression(pattern)])
            else { continue }
            withLiteral += 1
            let pool = ScratchPool(databases: [database])
            let wanted = Array(literal.text.utf8)
            for subject in subjects {
                var ids = MatchIDs()
                pool.withScratch { scratch in
                    guard let scratch else { return }
                    subject.withUnsafeBytes { database.scan($0, scratch: scratch, into: &ids) }
                }
                guard !ids.isEmpty else { continue }
                matchesChecked += 1
                let holds = literal.anchor == .prefix ? subject.starts(with: wanted) : subject.reversed().starts(with: wanted.reversed())
                #expect(holds, "\(pattern) matches \(String(decoding: subject, as: UTF8.self)) without its literal \(literal.text)")
            }
        }
        // The test must have had something to check.
        #expect(withLiteral > 50)
        #expect(matchesChecked > 200)
    }
}

/// A small deterministic generator, so a failure reproduces.
struct Generator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
