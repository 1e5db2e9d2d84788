import Foundation
import Testing

@testable import SafelistEngine

/// The tables and filters take their slots, tags and filter bits from one keyed hash, so a
/// hash that ignored some bytes, or spread keys badly over some bits, would make lookups slow
/// without making any answer wrong. These tests are what would notice.
@Suite("Byte hash: every byte counts, keys spread over every bit range")
struct ByteHashTests {
    static func hash(_ text: String, seed: UInt64 = ByteHash.seed) -> UInt64 {
        Array(text.utf8).withUnsafeBytes { ByteHash.hash($0, seed: seed) }
    }

    /// Distinct values of `bits` bits taken at `shift`, against what random values would give.
    static func spread(_ hashes: [UInt64], shift: UInt64, bits: Int) -> (distinct: Int, expected: Double) {
        let slots = 1 << bits
        let distinct = Set(hashes.map { Int(truncatingIfNeeded: $0 >> shift) & (slots - 1) }).count
        let n = Double(hashes.count), m = Double(slots)
        return (distinct, m * (1 - exp(-n / m)))
    }

    @Test(arguments: ["addresses", "domains", "short", "tiny"])
    func keysSpreadOverEveryBitRange(_ kind: String) {
        let keys: [String]
        switch kind {
        case "addresses": keys = (0..<100_000).map { "user\($0)@sender\($0 % 50_000).example" }
        case "domains": keys = (0..<100_000).map { "partner\($0).example" }
        case "short": keys = (0..<100_000).map { "a\($0)" }
        default:
            let letters = Array("abcdefghijklmnopqrstuvwxyz.-")
            keys =
                letters.map { String($0) } + letters.flatMap { a in letters.map { String([a, $0]) } }
                + letters.flatMap { a in letters.flatMap { b in letters.map { String([a, b, $0]) } } }
        }
        let hashes = keys.map { Self.hash($0) }
        #expect(Set(hashes).count == keys.count)
        // Table slots (low bits), filter positions (bits 0-35), filter blocks (from bit 40), tags (high 32).
        let bits = keys.count > 50_000 ? 17 : 14
        for shift: UInt64 in [0, 9, 18, 27, 40, 47] {
            let (distinct, expected) = Self.spread(hashes, shift: shift, bits: bits)
            #expect(
                Double(distinct) > expected * 0.97, "\(kind): bits \(shift)..<\(Int(shift) + bits): \(distinct) distinct, \(Int(expected)) expected")
        }
    }

    @Test func everyByteAndTheLengthCount() {
        for length in [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 63] {
            let key = Array(repeating: UInt8(ascii: "m"), count: length)
            let base = key.withUnsafeBytes { ByteHash.hash($0, seed: 42) }
            for position in 0..<length {
                var changed = key
                changed[position] = UInt8(ascii: "n")
                #expect(changed.withUnsafeBytes { ByteHash.hash($0, seed: 42) } != base, "length \(length), byte \(position)")
            }
            let longer = key + [0]
            #expect(longer.withUnsafeBytes { ByteHash.hash($0, seed: 42) } != base, "a zero byte appended to \(length)")
        }
    }

    @Test func theSeedChangesEveryHash() {
        let keys = (0..<1_000).map { "k\($0)@example.com" }
        let same = keys.filter { Self.hash($0, seed: 1) == Self.hash($0, seed: 2) }
        #expect(same.isEmpty)
    }

    /// Reading the group count on every chunk must not build `allCases`; it is kept as a literal.
    @Test func regexGroupCountIsAllCases() {
        #expect(RegexGroup.count == RegexGroup.allCases.count)
    }
}
