import SafelistRegex

/// Decides, without running Vectorscan, that a subject cannot match any of a group's filtered
/// expressions: each filtered expression has an anchored literal (`AnchoredLiteral`), and a
/// subject that starts and ends with none of its group's literals is not scanned. Scans are the
/// dearest part of an evaluation (tens of nanoseconds each, several a message), and nearly every
/// subject matches no expression.
///
/// Only plain subjects are filtered: printable ASCII, lowercase (as the engine's matching form
/// makes them), no line break. Anything else goes to Vectorscan whatever the literals say.
final class RegexFilter: @unchecked Sendable {
    /// Per group and anchor (index `group * 2 + anchor`): every literal cut to the shortest
    /// one's length, hashed into bits of a small table (a Bloom filter with one hash). Cutting
    /// costs some precision; it buys one hash and one bit test a subject, where a length per
    /// literal size cost several lookups.
    private struct Table {
        /// The literals' cut length; 0 when the group has no literal at this anchor.
        var length: Int
        /// Where the table starts in `bits`, and its size in bits less one (a power of two).
        var offset: Int
        var mask: Int
    }

    /// Plain pointers to storage this filter owns and never changes: a test reads no array
    /// header and checks no bounds, and it runs several times a message.
    private let tables: UnsafeMutablePointer<Table>
    private let bits: UnsafeMutablePointer<UInt64>
    /// What the literals were hashed with; subjects hash with it too.
    private let seed: UInt64

    init(_ literals: [(group: RegexGroup, literal: AnchoredLiteral)]) {
        let seed = ByteHash.seed
        var tables: [Table] = [], bits: [UInt64] = []
        for group in RegexGroup.allCases {
            for anchor in [AnchoredLiteral.Anchor.prefix, .suffix] {
                let texts = literals.filter { $0.group == group && $0.literal.anchor == anchor }.map { Array($0.literal.text.utf8) }
                let shortest = texts.map(\.count).min() ?? 0
                // About 32 bits a literal: one subject in 32 without a literal is scanned anyway.
                var words = 8
                while words * 64 < texts.count * 32 { words <<= 1 }
                tables.append(Table(length: shortest, offset: bits.count, mask: words * 64 - 1))
                var table = [UInt64](repeating: 0, count: texts.isEmpty ? 0 : words)
                for text in texts {
                    let cut = anchor == .prefix ? Array(text[..<shortest]) : Array(text[(text.count - shortest)...])
                    let bit = cut.withUnsafeBytes { Self.bit(Self.hash($0, group, anchor, seed), words * 64 - 1) }
                    table[bit >> 6] |= 1 << UInt64(bit & 63)
                }
                bits += table
            }
        }
        self.tables = .allocate(capacity: tables.count)
        self.tables.initialize(from: tables, count: tables.count)
        self.bits = .allocate(capacity: max(bits.count, 1))
        self.bits.initialize(repeating: 0, count: max(bits.count, 1))
        self.bits.update(from: bits, count: bits.count)
        self.seed = seed
    }

    deinit {
        tables.deallocate()
        bits.deallocate()
    }

    /// False only when no filtered expression of `group` can match `text`, a plain subject.
    @inline(__always)
    func mayMatch(_ text: UnsafeRawBufferPointer, _ group: RegexGroup) -> Bool {
        let prefix = tables[group.rawValue * 2], suffix = tables[group.rawValue * 2 + 1]
        if prefix.length > 0, prefix.length <= text.count,
            test(prefix, Self.hash(UnsafeRawBufferPointer(rebasing: text[..<prefix.length]), group, .prefix, seed))
        {
            return true
        }
        return suffix.length > 0 && suffix.length <= text.count
            && test(suffix, Self.hash(UnsafeRawBufferPointer(rebasing: text[(text.count - suffix.length)...]), group, .suffix, seed))
    }

    @inline(__always)
    private func test(_ table: Table, _ hash: UInt64) -> Bool {
        let bit = Self.bit(hash, table.mask)
        return bits[table.offset + bit >> 6] >> UInt64(bit & 63) & 1 != 0
    }

    @inline(__always)
    private static func bit(_ hash: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: hash >> 40) & mask
    }

    /// A hash of at most 16 bytes from two overlapping word loads and one multiplication,
    /// where a general hash would loop.
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer, _ group: RegexGroup, _ anchor: AnchoredLiteral.Anchor, _ seed: UInt64) -> UInt64 {
        let count = bytes.count
        var head: UInt64 = 0, tail: UInt64 = 0
        if count >= 8 {
            head = bytes.loadUnaligned(as: UInt64.self)
            tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for index in 0..<count { head |= UInt64(bytes[index]) << UInt64(index * 8) }
        }
        let salt = UInt64(count) << 8 | UInt64(group.rawValue) << 1 | (anchor == .prefix ? 0 : 1)
        return ByteHash.fold(head ^ seed, tail ^ salt ^ (seed &* 0x9E37_79B9_7F4A_7C15))
    }
}
