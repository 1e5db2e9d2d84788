/// Address space that is not globally reachable (IANA special-purpose registries, plus multicast
/// and the deprecated site-local range). Policies may not allow any of it: a block that overlaps
/// one of these is refused, so `0.0.0.0/0` is refused as surely as `10.0.0.1`.
enum ReservedAddressSpace {
    struct Range {
        let block: IPBlock
        let name: String
    }

    static let ranges: [Range] = [
        v4(0x0000_0000, 8, "this network / unspecified"),
        v4(0x0A00_0000, 8, "private"),
        v4(0x6440_0000, 10, "shared address space"),
        v4(0x7F00_0000, 8, "loopback"),
        v4(0xA9FE_0000, 16, "link-local"),
        v4(0xAC10_0000, 12, "private"),
        v4(0xC000_0000, 24, "IETF protocol assignments"),
        v4(0xC000_0200, 24, "documentation"),
        v4(0xC0A8_0000, 16, "private"),
        v4(0xC612_0000, 15, "benchmarking"),
        v4(0xC633_6400, 24, "documentation"),
        v4(0xCB00_7100, 24, "documentation"),
        v4(0xE000_0000, 4, "multicast"),
        v4(0xF000_0000, 4, "reserved, including broadcast"),
        v6(0, 128, "unspecified"),
        v6(1, 128, "loopback"),
        v6(0, 96, "IPv4-compatible (deprecated)"),
        v6(0x0064_FF9B_0001 << 80, 48, "local-use IPv4/IPv6 translation"),
        v6(0x0100 << 112, 64, "discard-only"),
        v6(0x2001_0DB8 << 96, 32, "documentation"),
        v6(0xFC00 << 112, 7, "unique-local"),
        v6(0xFE80 << 112, 10, "link-local"),
        v6(0xFEC0 << 112, 10, "site-local (deprecated)"),
        v6(0xFF00 << 112, 8, "multicast"),
        // The IPv4 ranges above, seen through IPv4-mapped IPv6 blocks shorter than /96.
        v6(0xFFFF_0000_0000, 96, "IPv4-mapped"),
    ]

    static func firstOverlap(with block: IPBlock) -> Range? {
        ranges.first { $0.block.overlaps(block) }
    }

    private static func v4(_ address: UInt32, _ prefix: Int, _ name: String) -> Range {
        Range(block: IPBlock(family: .v4, address: UInt128(address), prefixLength: prefix), name: name)
    }

    private static func v6(_ address: UInt128, _ prefix: Int, _ name: String) -> Range {
        Range(block: IPBlock(family: .v6, address: address, prefixLength: prefix), name: name)
    }
}
