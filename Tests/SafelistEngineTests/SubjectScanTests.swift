import Testing

@testable import SafelistEngine

/// The word-at-a-time scan must say exactly what a byte loop says: whether a subject is plain
/// (printable lowercase ASCII, so the regex filter may rule it out) and where its domain's
/// dots are (each parent domain is looked up from one), whatever lies past its end.
@Suite("Subject scan: plain test and dot positions, eight bytes at a time")
struct SubjectScanTests {
    /// What the scan stands for, a byte at a time.
    static func reference(_ bytes: [UInt8], domain: Int) -> (plain: Bool, dots: [Int]) {
        let plain = bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E && !($0 >= 0x41 && $0 <= 0x5A) }
        let dots = bytes.indices.filter { $0 >= domain && bytes[$0] == UInt8(ascii: ".") }
        return (plain, dots)
    }

    /// Scans `bytes` placed at `start` in a buffer whose other bytes are all `filler`.
    static func scan(_ bytes: [UInt8], domain: Int, start: Int = 3, filler: UInt8) -> (plain: Bool, dots: [Int]) {
        var buffer = [UInt8](repeating: filler, count: start + bytes.count + SubjectLayout.padding)
        buffer.replaceSubrange(start..<start + bytes.count, with: bytes)
        var dots = [Int32](repeating: -1, count: max(bytes.count, 1))
        let result = buffer.withUnsafeBytes { raw in
            dots.withUnsafeMutableBufferPointer { dots in
                SubjectScan.scan(raw.baseAddress!, start, start + bytes.count, domain: start + domain, dots: dots.baseAddress!)
            }
        }
        return (result.plain, dots.prefix(result.dotCount).map { Int($0) - start })
    }

    /// Every byte value, at every position of a word and across a word boundary, among plain
    /// neighbours, with dots, capitals and zeros in the filler past the end.
    @Test func everyByteInEveryPosition() {
        var wrong: [String] = []
        for length in [1, 7, 8, 9, 15, 16, 17, 63, 64, 65] {
            // Past two words, the first and last ones hold every case the middle ones do.
            let positions = length <= 17 ? Array(0..<length) : Array(0..<9) + Array(length - 9..<length)
            for position in positions {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "m"), count: length)
                    bytes[position] = UInt8(value)
                    for filler in [UInt8(ascii: "."), UInt8(ascii: "Q"), 0] {
                        let got = Self.scan(bytes, domain: 0, filler: filler)
                        let want = Self.reference(bytes, domain: 0)
                        if got.plain != want.plain || got.dots != want.dots {
                            wrong.append("byte \(value) at \(position) of \(length), filler \(filler)")
                        }
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    /// Dots before the domain start are not the domain's; the domain may start anywhere in a word.
    @Test func dotsFromTheDomainStartOn() {
        let address = Array("first.last@mail.eu.shop-4.example.co.uk".utf8)
        let at = address.firstIndex(of: UInt8(ascii: "@"))! + 1
        for domain in [0, at, address.count - 1, address.count] {
            let got = Self.scan(address, domain: domain, filler: UInt8(ascii: "."))
            #expect(got.dots == Self.reference(address, domain: domain).dots, "domain from \(domain)")
        }
        #expect(Self.scan(address, domain: at, filler: 0).dots.count == 5)
    }

    /// Random subjects of every length up to 200, over an alphabet heavy in dots and in bytes
    /// at the edges of the plain range, placed at every alignment.
    @Test func randomSubjectsAtEveryAlignment() {
        let alphabet: [UInt8] = Array("..a@z!~-0Z[`{".utf8) + [0x20, 0x7F, 0x80, 0xC3, 0xFF, 0x09, 0x41, 0x5A, 0x40]
        var state: UInt64 = 0x5EED
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<4000 {
            let length = next() % 201
            let bytes = (0..<length).map { _ in alphabet[next() % alphabet.count] }
            let domain = length == 0 ? 0 : next() % (length + 1)
            let got = Self.scan(bytes, domain: domain, start: next() % 16, filler: UInt8(ascii: "."))
            let want = Self.reference(bytes, domain: domain)
            #expect(got.plain == want.plain && got.dots == want.dots, "\(bytes) from \(domain)")
        }
    }
}
