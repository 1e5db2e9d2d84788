import SafelistCore

/// IP blocks by prefix length: one open-addressing table keyed by (family, length, network),
/// entries stored in the slots themselves so a probe costs one cache line. A lookup masks the
/// address once per prefix length present (most to least specific), so its cost follows the
/// handful of lengths tenants use, not the number of blocks.
final class PrefixTable: Sendable {
    struct Entry {
        var network: UInt128
        /// Family and length; `UInt16.max` marks an empty slot.
        var key: UInt16
        var value: UInt32
    }

    private let entries: [Entry]
    private let mask: Int
    private let v4Lengths: [UInt8]
    private let v6Lengths: [UInt8]
    let count: Int
    private let filter: BloomFilter
    /// What blocks were hashed with; lookups hash with it too.
    private let seed = ByteHash.seed

    init(_ blocks: [(block: IPBlock, value: UInt32)]) {
        var capacity = 16
        while capacity < blocks.count * 2 { capacity <<= 1 }
        var entries = [Entry](repeating: Entry(network: 0, key: .max, value: 0), count: capacity)
        var v4 = Set<UInt8>(), v6 = Set<UInt8>()
        var hashes: [UInt64] = []
        for (block, value) in blocks {
            let key = Self.key(block.family, UInt8(block.prefixLength))
            let network = block.address & block.mask
            if block.family == .v4 { v4.insert(UInt8(block.prefixLength)) } else { v6.insert(UInt8(block.prefixLength)) }
            let hash = Self.hash(network, key, seed)
            hashes.append(hash)
            var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
            while entries[slot].key != .max { slot = (slot + 1) & (capacity - 1) }
            entries[slot] = Entry(network: network, key: key, value: value)
        }
        self.entries = entries
        filter = BloomFilter(hashes: hashes)
        count = blocks.count
        mask = capacity - 1
        v4Lengths = v4.sorted(by: >)
        v6Lengths = v6.sorted(by: >)
    }

    /// One lookup of an address at one prefix length.
    struct Probe {
        let message: Int32
        let network: UInt128
        let key: UInt16
        let hash: UInt64
        /// The filter's line for `hash`, requested when the probe was planned.
        let line: UnsafePointer<UInt64>
    }

    /// How many lookups `plan` makes for an address of the family.
    func lengthCount(_ family: IPBlock.Family) -> Int {
        family == .v4 ? v4Lengths.count : v6Lengths.count
    }

    /// Appends the lookups of `address` (a plain address), one per prefix length present, most
    /// to least specific. A chunk's lookups are all planned, then `filter` keeps those that may
    /// find something: in a loop of its own, many of the filter's cache misses are under way
    /// at once.
    @inline(__always)
    func plan(_ address: IPBlock, message: Int32, into probes: UnsafeMutableBufferPointer<Probe>, count: inout Int) {
        let isV4 = address.family == .v4
        let lengths = isV4 ? v4Lengths : v6Lengths
        guard !lengths.isEmpty else { return }
        let width = isV4 ? 32 : 128
        let ones: UInt128 = isV4 ? 0xFFFF_FFFF : ~0
        for length in lengths {
            let key = Self.key(address.family, length)
            let networkMask = length == 0 ? 0 : ones & ~((1 << UInt128(width - Int(length))) - 1)
            let network = address.address & networkMask
            let hash = Self.hash(network, key, seed)
            probes[count] = Probe(message: message, network: network, key: key, hash: hash, line: filter.block(hash))
            count += 1
        }
    }

    /// Keeps the probes the Bloom filter does not rule out (most lengths hold no block for
    /// the address), without a branch on what the filter says.
    /// Returns how many were kept, moved to the front.
    func filter(_ probes: UnsafeMutableBufferPointer<Probe>) -> Int {
        var kept = 0
        for index in probes.indices {
            let probe = probes[index]
            probes[kept] = probe
            kept &+= BloomFilter.contains(probe.hash, in: probe.line) ? 1 : 0
        }
        return kept
    }

    /// Calls `body` with the value of every block the probe finds.
    @inline(__always)
    func resolve(_ probe: Probe, _ body: (UInt32) -> Void) {
        entries.withUnsafeBufferPointer { entries in
            var slot = Int(truncatingIfNeeded: probe.hash) & mask
            while true {
                let entry = entries[slot]
                if entry.key == .max { return }
                if entry.key == probe.key, entry.network == probe.network { body(entry.value) }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always)
    private static func key(_ family: IPBlock.Family, _ length: UInt8) -> UInt16 {
        (family == .v4 ? 0 : 0x100) | UInt16(length)
    }

    @inline(__always)
    private static func hash(_ network: UInt128, _ key: UInt16, _ seed: UInt64) -> UInt64 {
        ByteHash.hash(network: UInt64(truncatingIfNeeded: network), UInt64(truncatingIfNeeded: network >> 64), key: key, seed: seed)
    }
}
