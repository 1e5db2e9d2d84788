import SafelistTesting
import Testing

@testable import SafelistCore

@Suite("Pattern validation and canonical forms")
struct PatternCanonicalFormTests {
    @Test(arguments: [
        ("bücher", "bcher-kva"),
        ("münchen", "mnchen-3ya"),
        ("例え", "r8jz45g"),
        ("ü", "tda"),
    ])
    func punycodeRoundTrips(unicode: String, encoded: String) {
        #expect(Punycode.encode(unicode) == encoded)
        #expect(Punycode.decode(encoded) == unicode)
    }

    @Test func punycodeRejectsGarbage() {
        #expect(Punycode.decode("!!!") == nil)
        #expect(Punycode.decode("99999999999999999999") == nil)
    }

    /// The byte-level path for plain ASCII names agrees with the general one wherever it
    /// answers, and answers for every valid plain name: random names over letters of both
    /// cases, digits, hyphens, dots and `xn--`, valid and not.
    @Test func plainNamesTakeTheByteLevelPathToTheSameForm() {
        var generator = SplitMix(seed: 7)
        let pieces = ["a", "Z", "q", "7", "0", "-", ".", ".", "xn--", "XN--", "ex", "COM"]
        var answered = 0
        for _ in 0..<20_000 {
            let text = (0..<Int(generator.next() % 12)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            let general = try? DomainName.canonicalizeInGeneral(text)
            if let plain = DomainName.plainASCII(text) {
                answered += 1
                #expect(plain == general, "\(text)")
            } else if let general, !general.stored.contains("xn--") {
                Issue.record("\(text) is a valid plain name, but took the general path")
            }
        }
        #expect(answered > 1000)
        #expect(DomainName.plainASCII(String(repeating: "a", count: 63) + ".com") != nil)
        #expect(DomainName.plainASCII(String(repeating: "a", count: 64) + ".com") == nil)
    }

    @Test func internationalNamesShareTheirASCIIForm() throws {
        let unicode = try DomainName.canonicalize("Bücher.Example.")
        let ascii = try DomainName.canonicalize("XN--BCHER-KVA.example")
        #expect(unicode.stored == "bücher.example")
        #expect(ascii.stored == "xn--bcher-kva.example")
        #expect(unicode.matchKey == "xn--bcher-kva.example")
        #expect(ascii.matchKey == unicode.matchKey)
        // NFC: a decomposed ü is the same name.
        #expect(try DomainName.canonicalize("bu\u{0308}cher.example").matchKey == unicode.matchKey)
        #expect(throws: PatternProblem.self) { try DomainName.canonicalize("xn--.example") }
        #expect(throws: PatternProblem.self) { try DomainName.canonicalize("xn--abc-.example") }
        #expect(throws: PatternProblem.self) { try DomainName.canonicalize("a b.example") }
        #expect(throws: PatternProblem.self) { try DomainName.canonicalize("example.123") }
        #expect(throws: PatternProblem.self) { try DomainName.canonicalize(String(repeating: "abcdefghi.", count: 26) + "com") }
    }

    @Test(arguments: [
        ("1.2.3.4", "1.2.3.4"),
        ("1.2.3.4/32", "1.2.3.4"),
        ("8.0.0.0/8", "8.0.0.0/8"),
        ("2606:4700:4700::1111", "2606:4700:4700::1111"),
        ("2606:4700:4700:0000:0000:0000:0000:1111", "2606:4700:4700::1111"),
        ("2606:4700:0:0:1:0:0:1", "2606:4700::1:0:0:1"),
        ("2606:4700:4700:1:2:3:4:5", "2606:4700:4700:1:2:3:4:5"),
        ("2001:DB9::/32", "2001:db9::/32"),
        ("2606:4700::/128", "2606:4700::"),
        ("::ffff:1.1.1.1", "1.1.1.1"),
        ("::ffff:1.1.1.0/120", "1.1.1.0/24"),
        ("::FFFF:0101:0101", "1.1.1.1"),
        // Documentation prefixes are not refused: Cloudflare accepts them too.
        ("192.0.2.10", "192.0.2.10"),
        ("2001:db8::1", "2001:db8::1"),
        ("100.64.0.0/10", "100.64.0.0/10"),
    ])
    func ipCanonicalForms(input: String, canonical: String) throws {
        #expect(try IPBlock.parsePublic(input).description == canonical)
    }

    @Test(arguments: [
        "10.0.0.0/8", "172.16.5.4", "192.168.0.0/16", "127.0.0.1", "169.254.1.1", "0.0.0.0",
        "0.0.0.0/0", "8.0.0.0/5", "224.0.0.1", "255.255.255.255", "::", "::1", "::/0",
        "fc00::/7", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:192.168.1.1", "::ffff:127.0.0.1",
        "::ffff:0:0/96", "::fffe:0:0/95",
    ])
    func nonGlobalSpaceRefused(input: String) {
        do {
            _ = try IPBlock.parsePublic(input)
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.code == ErrorCode.nonPublicIP, "\(input): \(error.message)")
        }
    }

    @Test(arguments: [
        "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.1.1.1", "1.1.1.1/", "1.1.1.1/033", "1:2:3",
        "1::2::3", "12345::", "2606:4700::/129", "gggg::", "1.2.3.4%eth0", " 1.2.3.4", "1.2.3.4/-1",
        "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4.", "1.2.3.1000", "1.2.3.00", "1.2.3.\u{FF14}", "", "/8",
    ])
    func malformedIPRefused(input: String) {
        #expect(throws: PatternProblem.self) { _ = try IPBlock.parse(input) }
    }

    /// The dotted quad is read in one pass over its bytes; it must accept exactly what the
    /// octet-by-octet reading it replaced accepted, with the same value.
    @Test func dottedQuadMatchesTheOctetReading() {
        func reference(_ text: Substring) -> UInt32? {
            let octets = text.split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4 else { return nil }
            var value: UInt32 = 0
            for octet in octets {
                guard !octet.isEmpty, octet.count <= 3, octet.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    !(octet.count > 1 && octet.hasPrefix("0")), let number = UInt32(octet), number <= 255
                else { return nil }
                value = value << 8 | number
            }
            return value
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.....25")
        var accepted = 0
        for _ in 0..<50_000 {
            let text = String((0..<Int.random(in: 0...16, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "." })
            let expected = reference(text[...])
            #expect(IPBlock.parseV4(text[...]) == expected, "\(text)")
            accepted += expected == nil ? 0 : 1
        }
        // The alphabet is dense in dots so that valid quads come up often enough to compare.
        #expect(accepted > 100)
    }

    @Test func hostBitsNameTheNetwork() {
        do {
            _ = try IPBlock.parsePublic("8.8.8.8/24")
            Issue.record("accepted host bits")
        } catch {
            #expect(error.code == ErrorCode.hostBitsSet)
            #expect(error.message.contains("8.8.8.0/24"))
        }
    }

    @Test(arguments: [
        "abc", "a|b", "(a|b)+c*", "[a-z0-9._%+-]+@example\\.com", "(?i)FOO", "(?:ab){2,5}", "x{3}", "\\d+\\.\\d+",
        "[]a]", "\\Q(literal\\E", "(?<name>a)b", "\\x{41}", "\\p{L}+", "^a$", "a{1001}", "a{",
        // Exponential for a backtracking engine, linear for Vectorscan: accepted.
        "(a+)+b", "(a|aa)+$", "(.*a){20}", "(x+x+)+y",
    ])
    func linearRegexAccepted(pattern: String) async throws {
        _ = try await RegexChecks.judge(pattern)
    }

    @Test(arguments: [
        ("(a)\\1", ErrorCode.unsupportedRegex), ("(?=a)", ErrorCode.unsupportedRegex), ("(?!a)", ErrorCode.unsupportedRegex),
        ("(?<=a)b", ErrorCode.unsupportedRegex), ("(?<!a)b", ErrorCode.unsupportedRegex), ("(?>a)", ErrorCode.unsupportedRegex),
        ("a*+", ErrorCode.unsupportedRegex), ("\\k<x>", ErrorCode.unsupportedRegex), ("(?(1)a|b)", ErrorCode.unsupportedRegex),
        ("\\G", ErrorCode.unsupportedRegex), ("(", ErrorCode.invalidRegex), (")", ErrorCode.invalidRegex),
        ("[abc", ErrorCode.invalidRegex), ("+a", ErrorCode.invalidRegex), ("a**", ErrorCode.invalidRegex),
        ("\\", ErrorCode.invalidRegex), ("(|*)", ErrorCode.invalidRegex), ("\\R", ErrorCode.unsupportedRegex),
        ("\\X", ErrorCode.unsupportedRegex), ("((a{1,100}){1,100}){1,100}", ErrorCode.unsupportedRegex),
        // Compiles alone, but its unterminated \Q would swallow the anchors: refused too.
        ("\\Qab", ErrorCode.invalidRegex),
    ])
    func unsafeOrBrokenRegexRefused(pattern: String, code: ErrorCode) async {
        do {
            _ = try await RegexChecks.judge(pattern)
            Issue.record("accepted \(pattern)")
        } catch let error as SafelistError {
            #expect(error.errors.map(\.code) == [code], "\(pattern): \(error.errors)")
            #expect(error.errors.first?.pointer == "/pattern")
        } catch {
            Issue.record("\(pattern): \(error)")
        }
    }

    @Test func emailsAreLowercasedWithTheirDomainRules() throws {
        let pattern = try PatternValidator.validate("Ann.Lee+x@Bücher.Example", type: .email, isRegex: false)
        #expect(pattern.stored == "ann.lee+x@bücher.example")
        #expect(pattern.matchKey == "ann.lee+x@xn--bcher-kva.example")
        #expect(try PatternValidator.validate("Jürgen.O'Neil@example.com", type: .email, isRegex: false).stored == "jürgen.o'neil@example.com")
        for bad in [
            "@example.com", "a@", "a b@example.com", ".a@example.com", "a.@example.com", "a@b@c",
            String(repeating: "a", count: 65) + "@example.com", "a..b@example.com", "a\"b@example.com", "a\u{00A0}b@example.com",
            "a\u{7F}b@example.com", "a(b)@example.com",
        ] {
            #expect(throws: SafelistError.self, "\(bad)") { _ = try PatternValidator.validate(bad, type: .email, isRegex: false) }
        }
    }
}
