import CPrefetch

/// A blocked Bloom filter in front of a large table: each key sets four bits within one
/// 64-byte block, so asking costs one cache line, and at about 12 bits a key the whole filter
/// of a million keys stays in the CPU's caches, while the table behind it does not. Nearly
/// every subject of nearly every message matches nothing; the filter answers those without
/// touching the table.
struct BloomFilter: Sendable {
    private let words: [UInt64]
    private let blockMask: Int

    init(hashes: [UInt64]) {
        var blocks = 1
        while blocks * 512 < hashes.count * 12 { blocks <<= 1 }
        var words = [UInt64](repeating: 0, count: blocks * 8)
        for hash in hashes {
            let (block, bits) = Self.place(hash, blocks - 1)
            for bit in [bits.0, bits.1, bits.2, bits.3] { words[block * 8 + bit >> 6] |= 1 << UInt64(bit & 63) }
        }
        self.words = words
        blockMask = blocks - 1
    }

    /// Branch-free: the four bits are tested together, so the CPU does not guess an outcome on
    /// each load of a line still on its way from memory (and guess wrong a third of the time),
    /// and the loads of many keys overlap.
    @inline(__always)
    func mayContain(_ hash: UInt64) -> Bool {
        let (block, bits) = Self.place(hash, blockMask)
        return words.withUnsafeBufferPointer { words in
            let base = block * 8
            let a = words[base + bits.0 >> 6] >> UInt64(bits.0 & 63)
            let b = words[base + bits.1 >> 6] >> UInt64(bits.1 & 63)
            let c = words[base + bits.2 >> 6] >> UInt64(bits.2 & 63)
            let d = words[base + bits.3 >> 6] >> UInt64(bits.3 & 63)
            return a & b & c & d & 1 != 0
        }
    }

    /// Starts loading the line `mayContain(hash)` will read.
    @inline(__always)
    func prefetch(_ hash: UInt64) {
        let (block, _) = Self.place(hash, blockMask)
        words.withUnsafeBufferPointer { words in
            guard let base = words.baseAddress else { return }
            safelist_prefetch(base + block * 8)
        }
    }

    /// The block and four bit positions, from bits of the hash the tables do not use for slots.
    @inline(__always)
    private static func place(_ hash: UInt64, _ blockMask: Int) -> (Int, (Int, Int, Int, Int)) {
        let mixed = ByteHash.mix(hash ^ 0x5851_F42D_4C95_7F2D)
        let block = Int(truncatingIfNeeded: mixed >> 36) & blockMask
        return (block, (Int(mixed & 511), Int(mixed >> 9 & 511), Int(mixed >> 18 & 511), Int(mixed >> 27 & 511)))
    }
}
