/// Address space a policy may not allow: the categories Cloudflare documents as refused
/// (private and unique-local, loopback, link-local, unspecified, IPv4 broadcast, and their
/// IPv4-mapped forms), plus multicast and the reserved 240.0.0.0/4, which never send mail.
/// Documentation and benchmarking prefixes stay allowed, as Cloudflare allows them. A block
/// that overlaps one of these is refused, so `0.0.0.0/0` is refused as surely as `10.0.0.1`.
enum ReservedAddressSpace {
    struct Range {
        let block: IPBlock
        let name: String
    }

    static let ranges: [Range] = [
        v4(0x0000_0000, 8, "unspecified / this network"),
        v4(0x0A00_0000, 8, "private"),
        v4(0x7F00_0000, 8, "loopback"),
        v4(0xA9FE_0000, 16, "link-local"),
        v4(0xAC10_0000, 12, "private"),
        v4(0xC0A8_0000, 16, "private"),
        v4(0xE000_0000, 4, "multicast"),
        v4(0xF000_0000, 4, "reserved, including broadcast"),
        v6(0, 128, "unspecified"),
        v6(1, 128, "loopback"),
        v6(0xFC00 << 112, 7, "unique-local"),
        v6(0xFE80 << 112, 10, "link-local"),
        v6(0xFF00 << 112, 8, "multicast"),
        // Blocks shorter than /96 that cover all of IPv4-mapped space, private ranges included;
        // mapped blocks of /96 or longer are turned into IPv4 before this check.
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
