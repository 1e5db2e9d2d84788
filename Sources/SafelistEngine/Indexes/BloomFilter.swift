import CPrefetch

/// A blocked Bloom filter in front of a large table: each key sets four bits within one
/// 64-byte block, so asking costs one cache line, and at about 12 bits a key the whole filter
/// of a million keys stays in the CPU's caches, while the table behind it does not. Nearly
/// every subject of nearly every message matches nothing; the filter answers those without
/// touching the table.
///
/// Asking is split in two: `block(_:)` finds a key's line and starts loading it, `contains`
/// tests the line later, once it has arrived. The caller keeps the line's address in between,
/// so the block is worked out once; the words live in one allocation of their own, whose
/// address does not change while the filter exists.
final class BloomFilter: @unchecked Sendable {
    private let words: UnsafeMutablePointer<UInt64>
    private let blockMask: Int

    init(hashes: [UInt64]) {
        var blocks = 1
        while blocks * 512 < hashes.count * 12 { blocks <<= 1 }
        // Blocks start on cache lines.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: blocks * 64, alignment: 64)
        words = raw.initializeMemory(as: UInt64.self, repeating: 0, count: blocks * 8)
        blockMask = blocks - 1
        for hash in hashes {
            let line = words + Self.blockIndex(hash, blockMask) * 8
            let (a, b, c, d) = Self.bits(hash)
            for bit in [a, b, c, d] { line[bit >> 6] |= 1 << UInt64(bit & 63) }
        }
    }

    deinit { words.deallocate() }

    /// The line `hash` lives in, already on its way to the cache.
    @inline(__always)
    func block(_ hash: UInt64) -> UnsafePointer<UInt64> {
        let line = UnsafePointer(words + Self.blockIndex(hash, blockMask) * 8)
        safelist_prefetch(line)
        return line
    }

    /// Branch-free: the four bits are tested together, so the CPU does not guess an outcome on
    /// each load of a line still on its way from memory (and guess wrong a third of the time),
    /// and the loads of many keys overlap.
    @inline(__always)
    static func contains(_ hash: UInt64, in line: UnsafePointer<UInt64>) -> Bool {
        let bits = bits(hash)
        let a = line[bits.0 >> 6] >> UInt64(bits.0 & 63)
        let b = line[bits.1 >> 6] >> UInt64(bits.1 & 63)
        let c = line[bits.2 >> 6] >> UInt64(bits.2 & 63)
        let d = line[bits.3 >> 6] >> UInt64(bits.3 & 63)
        return a & b & c & d & 1 != 0
    }

    /// The block and four bit positions come from bits of the hash itself: the block from the
    /// top (up to 24 bits), the positions from the bottom 36. They overlap the bits the tables
    /// use for slots and tags, which only ties where a key sits in both, not whether a key
    /// that is absent passes, and a second mixing of the hash would cost more than it buys.
    @inline(__always)
    private static func blockIndex(_ hash: UInt64, _ blockMask: Int) -> Int {
        Int(truncatingIfNeeded: hash >> 40) & blockMask
    }

    @inline(__always)
    private static func bits(_ hash: UInt64) -> (Int, Int, Int, Int) {
        (Int(hash & 511), Int(hash >> 9 & 511), Int(hash >> 18 & 511), Int(hash >> 27 & 511))
    }
}
