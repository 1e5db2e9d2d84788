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
            let hash = Self.hash(network, key)
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

    /// Calls `body` with the value of every block that contains `address` (a plain address).
    /// The home slot of every length is read first, so their cache misses overlap.
    @inline(__always)
    func forEach(containing address: IPBlock, _ body: (UInt32) -> Void) {
        let isV4 = address.family == .v4
        let lengths = isV4 ? v4Lengths : v6Lengths
        guard !lengths.isEmpty else { return }
        let width = isV4 ? 32 : 128
        let ones: UInt128 = isV4 ? 0xFFFF_FFFF : ~0
        entries.withUnsafeBufferPointer { entries in
            withUnsafeTemporaryAllocation(of: (network: UInt128, key: UInt16, slot: Int, empty: Bool).self,
                                          capacity: lengths.count) { probes in
                for (index, length) in lengths.enumerated() {
                    let key = Self.key(address.family, length)
                    let networkMask = length == 0 ? 0 : ones & ~((1 << UInt128(width - Int(length))) - 1)
                    let network = address.address & networkMask
                    let hash = Self.hash(network, key)
                    let slot = Int(truncatingIfNeeded: hash) & mask
                    // Most lengths hold no block for this address: the filter says so from cache.
                    probes[index] = (network, key, slot, !filter.mayContain(hash) || entries[slot].key == .max)
                }
                for probe in probes[..<lengths.count] where !probe.empty {
                    var slot = probe.slot
                    while true {
                        let entry = entries[slot]
                        if entry.key == .max { break }
                        if entry.key == probe.key, entry.network == probe.network { body(entry.value) }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func key(_ family: IPBlock.Family, _ length: UInt8) -> UInt16 {
        (family == .v4 ? 0 : 0x100) | UInt16(length)
    }

    @inline(__always)
    private static func hash(_ network: UInt128, _ key: UInt16) -> UInt64 {
        let low = UInt64(truncatingIfNeeded: network), high = UInt64(truncatingIfNeeded: network >> 64)
        return ByteHash.mix(ByteHash.mix(low ^ ByteHash.seed ^ UInt64(key)) ^ high)
    }
}
