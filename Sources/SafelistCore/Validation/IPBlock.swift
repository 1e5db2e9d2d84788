/// An IPv4 or IPv6 address or CIDR block. IPv4 lives in the low 32 bits of `address`.
///
/// Stored as two 64-bit halves and a one-byte prefix: a `UInt128` field would give the type
/// (and every engine policy and message that holds one) 16-byte alignment, 80 bytes where 56 do.
public struct IPBlock: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case v4, v6 }

    private let high: UInt64
    private let low: UInt64
    private let prefix: UInt8
    public let family: Family

    public init(family: Family, address: UInt128, prefixLength: Int) {
        self.family = family
        high = UInt64(truncatingIfNeeded: address >> 64)
        low = UInt64(truncatingIfNeeded: address)
        prefix = UInt8(truncatingIfNeeded: prefixLength)
    }

    public var address: UInt128 { UInt128(high) << 64 | UInt128(low) }
    public var prefixLength: Int { Int(prefix) }

    public var bitWidth: Int { family == .v4 ? 32 : 128 }

    /// The mask of the network bits, within `bitWidth`.
    public var mask: UInt128 {
        guard prefixLength > 0 else { return 0 }
        let ones: UInt128 = family == .v4 ? 0xFFFF_FFFF : ~0
        return ones & ~((1 << UInt128(bitWidth - prefixLength)) - 1) & ones
    }

    public var network: IPBlock { IPBlock(family: family, address: address & mask, prefixLength: prefixLength) }

    public func contains(_ other: IPBlock) -> Bool {
        family == other.family && prefixLength <= other.prefixLength && (other.address & mask) == address & mask
    }

    public func overlaps(_ other: IPBlock) -> Bool { contains(other) || other.contains(self) }

    /// Canonical text: dotted quad, or RFC 5952 for IPv6; the prefix only when it is not a single
    /// address, so `1.2.3.4` and `1.2.3.4/32` are one pattern.
    public var description: String {
        let text = family == .v4 ? Self.formatV4(UInt32(truncatingIfNeeded: address)) : Self.formatV6(address)
        return prefixLength == bitWidth ? text : "\(text)/\(prefixLength)"
    }

    // MARK: Parsing

    /// Parses an address or block in any accepted spelling; IPv4-mapped IPv6 becomes IPv4.
    public static func parse(_ text: String) throws(PatternProblem) -> IPBlock {
        let slash = text.utf8.firstIndex(of: UInt8(ascii: "/"))
        let addressText = slash.map { text[..<$0] } ?? text[...]
        let block: IPBlock
        // Byte search: `contains(":")` on a Substring goes through Foundation's string search.
        if addressText.utf8.contains(UInt8(ascii: ":")) {
            guard let value = parseV6(addressText) else { throw invalid("'\(addressText)' is not an IPv6 address") }
            block = IPBlock(family: .v6, address: value, prefixLength: 128)
        } else {
            guard let value = parseV4(addressText) else { throw invalid("'\(addressText)' is not an IPv4 address") }
            block = IPBlock(family: .v4, address: UInt128(value), prefixLength: 32)
        }
        var result = block
        if let slash {
            let prefixText = text[text.utf8.index(after: slash)...]
            guard let prefix = Int(prefixText), prefixText.allSatisfy(\.isASCII),
                !(prefixText.count > 1 && prefixText.hasPrefix("0")),
                prefix >= 0, prefix <= block.bitWidth
            else { throw invalid("the prefix length must be a number from 0 to \(block.bitWidth)") }
            result = IPBlock(family: block.family, address: block.address, prefixLength: prefix)
        }
        if result.family == .v6, result.prefixLength >= 96, Self.mappedPrefix.contains(result.network) {
            result = IPBlock(family: .v4, address: result.address & 0xFFFF_FFFF, prefixLength: result.prefixLength - 96)
        }
        return result
    }

    /// Parses an IP pattern: a network address (no host bits) in globally reachable space.
    public static func parsePublic(_ text: String) throws(PatternProblem) -> IPBlock {
        let block = try parse(text)
        if block.network != block {
            throw PatternProblem(
                code: ErrorCode.hostBitsSet,
                message: "Invalid IP block: \(text) has host bits set; the network is \(block.network)")
        }
        if let reserved = ReservedAddressSpace.firstOverlap(with: block) {
            throw PatternProblem(
                code: ErrorCode.nonPublicIP,
                message: "IP \(block) is not globally reachable: it lies in or covers \(reserved.block) "
                    + "(\(reserved.name)); only public addresses may be allowed")
        }
        return block
    }

    static let mappedPrefix = IPBlock(family: .v6, address: 0xFFFF_0000_0000, prefixLength: 96)

    /// Four dot-separated decimal octets of one to three digits, none above 255 and none with
    /// a leading zero. One pass over the bytes: every evaluated message's client IP comes here.
    static func parseV4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                dots += 1
                octet = 0
                digits = 0
                continue
            }
            guard byte >= 0x30, byte <= 0x39, digits < 3, !(digits == 1 && octet == 0) else { return nil }
            octet = octet * 10 + UInt32(byte - 0x30)
            digits += 1
            guard octet <= 255 else { return nil }
        }
        guard digits > 0, dots == 3 else { return nil }
        return value << 8 | octet
    }

    static func parseV6(_ text: Substring) -> UInt128? {
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func readGroups(_ part: String, into list: inout [UInt16], allowV4: Bool) -> Bool {
            guard !part.isEmpty else { return true }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowV4, index == pieces.count - 1, piece.utf8.contains(UInt8(ascii: ".")) {
                    guard let v4 = parseV4(piece) else { return false }
                    list.append(UInt16(v4 >> 16))
                    list.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit),
                    let group = UInt16(piece, radix: 16)
                else { return false }
                list.append(group)
            }
            return true
        }
        if halves.count == 2 {
            sawGap = true
            guard readGroups(halves[0], into: &groups, allowV4: false),
                readGroups(halves[1], into: &tail, allowV4: true)
            else { return nil }
            guard groups.count + tail.count <= 7 else { return nil }
        } else {
            guard readGroups(halves[0], into: &groups, allowV4: true), groups.count == 8 else { return nil }
        }
        let all = sawGap ? groups + Array(repeating: 0, count: 8 - groups.count - tail.count) + tail : groups
        return all.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    static func formatV4(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    static func formatV6(_ value: UInt128) -> String {
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> UInt128(112 - 16 * $0)) }
        // RFC 5952: compress the longest run of two or more zero groups, the first on a tie.
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            let start = index
            while index < 8, groups[index] == 0 { index += 1 }
            if index - start > bestLength, index - start >= 2 { bestStart = start; bestLength = index - start }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    private static func invalid(_ reason: String) -> PatternProblem {
        PatternProblem(code: ErrorCode.invalidIP, message: "Invalid IP pattern: \(reason)")
    }
}
