import Foundation

/// An open-addressing hash table from byte strings (addresses, domain names) to policy indices.
/// Keys live back to back in one byte arena, so a million keys cost a few allocations rather
/// than a million, and a lookup hashes the subject's own bytes: a domain's suffixes are looked
/// up without building a string for each.
final class ByteKeyTable: Sendable {
    /// Per slot: the high 32 bits of the key's hash, then the entry's index + 1 (0 is empty).
    private let slots: [UInt64]
    private let starts: [UInt32]
    private let lengths: [UInt16]
    private let values: [UInt32]
    private let arena: [UInt8]
    private let mask: Int
    /// Bit n is set when some key has n dot-separated labels (n < 64): a domain suffix with a
    /// label count no key has is not looked up at all.
    let labelCounts: UInt64
    let filter: BloomFilter
    /// What keys were hashed with; lookups hash with it too.
    let seed: UInt64

    init(_ keys: [(key: String, value: UInt32)]) {
        let seed = ByteHash.seed
        var capacity = 16
        while capacity < keys.count * 2 { capacity <<= 1 }
        var slots = [UInt64](repeating: 0, count: capacity)
        var labelCounts: UInt64 = 0
        var hashes: [UInt64] = []
        hashes.reserveCapacity(keys.count)
        var starts: [UInt32] = [], lengths: [UInt16] = [], values: [UInt32] = [], arena: [UInt8] = []
        starts.reserveCapacity(keys.count)
        lengths.reserveCapacity(keys.count)
        values.reserveCapacity(keys.count)
        arena.reserveCapacity(keys.reduce(0) { $0 + $1.key.utf8.count })
        for (key, value) in keys {
            var key = key
            // One pass over the key's own bytes: counted, copied to the arena, hashed.
            key.withUTF8 { utf8 in
                guard utf8.count <= Int(UInt16.max) else { return }
                var labels = 1
                for byte in utf8 where byte == UInt8(ascii: ".") { labels += 1 }
                labelCounts |= labels < 64 ? 1 << UInt64(labels) : 0
                let entry = starts.count
                starts.append(UInt32(arena.count))
                lengths.append(UInt16(utf8.count))
                values.append(value)
                arena.append(contentsOf: utf8)
                let hash = ByteHash.hash(UnsafeRawBufferPointer(utf8), seed: seed)
                hashes.append(hash)
                var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
                while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
                slots[slot] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(entry + 1)
            }
        }
        self.slots = slots
        self.starts = starts
        self.lengths = lengths
        self.values = values
        self.arena = arena
        self.labelCounts = labelCounts
        filter = BloomFilter(hashes: hashes)
        mask = capacity - 1
        self.seed = seed
    }

    var count: Int { starts.count }

    /// The slot a key with this hash is looked for first.
    @inline(__always)
    private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & mask }

    /// Reads the home slot of `hash`. Evaluations read the home slots of all of a chunk's keys
    /// first, in one pass: the loads miss the cache independently and overlap, instead of one
    /// after another.
    @inline(__always)
    func homeSlot(_ hash: UInt64) -> UInt64 { slots.withUnsafeBufferPointer { $0[home(hash)] } }

    /// Calls `body` with the value of every entry whose key equals `key`, starting at the
    /// home slot of `hash`, whose content `first` the caller already read.
    @inline(__always)
    func forEach(_ key: UnsafeRawBufferPointer, hash: UInt64, first: UInt64, _ body: (UInt32) -> Void) {
        if first == 0 { return }
        let tag = hash & 0xFFFF_FFFF_0000_0000
        slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                var slot = home(hash)
                var content = first
                while true {
                    if content == 0 { return }
                    if content & 0xFFFF_FFFF_0000_0000 == tag {
                        let entry = Int(truncatingIfNeeded: content & 0xFFFF_FFFF) - 1
                        if Int(lengths[entry]) == key.count,
                            Self.equal(arena, at: Int(starts[entry]), key)
                        {
                            body(values[entry])
                        }
                    }
                    slot = (slot + 1) & mask
                    content = slots[slot]
                }
            }
        }
    }
}

extension ByteKeyTable {
    @inline(__always)
    static func equal(_ arena: UnsafeRawBufferPointer, at start: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        guard let stored = arena.baseAddress, let wanted = key.baseAddress else { return key.isEmpty }
        return memcmp(stored + start, wanted, key.count) == 0
    }
}
