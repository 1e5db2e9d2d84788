import Foundation
import SafelistCore

/// An account id or a policy id as SQLite's tables hold it since schema v12: the sixteen bytes
/// its text spells (an account's 32 hex digits, a policy's UUID) instead of that text. The two
/// ids lead or end every key of fifteen B-trees; as text they were 69 of a policy row's bytes
/// and half of most index entries (docs/benchmarks.md, "Narrow keys"). Byte order is the order
/// of the canonical text, so every index keeps its order. Two words, so binding one allocates
/// nothing.
public struct PackedKey: Sendable, Hashable {
    public let high: UInt64
    public let low: UInt64

    public init(_ id: PolicyID) {
        (high, low) = withUnsafeBytes(of: id.uuid.uuid, Self.words)
    }

    /// An account id is 32 lowercase hex digits (`AccountID`), so every one packs.
    public init(_ account: AccountID) {
        var high: UInt64 = 0, low: UInt64 = 0
        for (index, byte) in account.rawValue.utf8.enumerated() {
            let nibble = UInt64(byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : byte - UInt8(ascii: "a") + 10)
            if index < 16 { high = high << 4 | nibble } else { low = low << 4 | nibble }
        }
        (self.high, self.low) = (high, low)
    }

    /// Sixteen stored bytes; nil for any other length.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 16 else { return nil }
        (high, low) = Self.words(bytes)
    }

    private static func words(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        (
            UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
            UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        )
    }

    /// The sixteen bytes, most significant first.
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: (high.bigEndian, low.bigEndian), body)
    }

    public var policyID: PolicyID {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { output in withBytes { output.copyMemory(from: $0) } }
        return PolicyID(uuid: UUID(uuid: bytes))
    }

    /// Sixteen bytes in lowercase hex are always an account id; optional only as `AccountID`'s
    /// parse is.
    public var accountID: AccountID? {
        let digits = String(unsafeUninitializedCapacity: 32) { output in
            for (index, word) in [high, low].enumerated() {
                for nibble in 0..<16 {
                    let value = UInt8(truncatingIfNeeded: word >> (60 - 4 * UInt64(nibble))) & 0x0F
                    output[index * 16 + nibble] = value < 10 ? 0x30 + value : 0x57 + value
                }
            }
            return 32
        }
        return AccountID(digits)
    }
}
