import Foundation

/// A Cloudflare account identifier: 32 lowercase hexadecimal characters.
public struct AccountID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts only Cloudflare's form; anything else is not an account id (the API answers 7003).
    /// Inlinable so that it is specialized where it is called: every request parses one.
    @inlinable
    public init?(_ text: some StringProtocol) {
        self.init(String(text))
    }

    /// Not generic: a generic initialiser is not specialised across modules, and each row a
    /// list reads parses one (see `PolicyID.init(_:)`).
    public init?(_ text: String) {
        var text = text
        let valid = text.withUTF8 { bytes in
            bytes.count == 32 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        }
        guard valid else { return nil }
        rawValue = text
    }

    public var description: String { rawValue }
}

/// A policy identifier: a UUID, kept as its 16 bytes and written lowercase. Parsed once, where
/// text comes in (a request, a stored row); a row whose id does not parse is an error, never a
/// new id.
public struct PolicyID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let uuid: UUID

    public init(uuid: UUID) {
        self.uuid = uuid
    }

    /// Parsed by hand, hyphens at 8, 13, 18 and 23, hex digits of either case elsewhere:
    /// Foundation's `UUID(uuidString:)` goes through `sscanf`, which was a tenth of reading a
    /// list page of a million-policy export.
    public init?(_ text: some StringProtocol) {
        self.init(String(text))
    }

    /// The parse itself, over the text's bytes: not generic, since generic code is not
    /// specialised across modules and every stored row and path segment comes through here
    /// (unspecialised, it was a sixth of an export's time).
    public init?(_ text: String) {
        var text = text
        guard let id = text.withUTF8(Self.parse) else { return nil }
        self = id
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> PolicyID? {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
            var count = 0
            var index = 0
            var high: UInt8?
            for byte in text {
                defer { count += 1 }
                if count == 8 || count == 13 || count == 18 || count == 23 {
                    guard byte == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard let nibble = Self.nibble(byte), index < 16 else { return false }
                if let first = high {
                    output[index] = first << 4 | nibble
                    index += 1
                    high = nil
                } else {
                    high = nibble
                }
            }
            return count == 36 && index == 16
        }
        return parsed ? PolicyID(uuid: UUID(uuid: bytes)) : nil
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A new id: a version 7 UUID (RFC 9562), 48 bits of Unix milliseconds then 74 random bits.
    /// Ids made one after another sort together, so an insert appends to the id index and to the
    /// change feed's key instead of writing a leaf anywhere in each: a third fewer pages written
    /// per create on SQLite (docs/benchmarks.md, "Time-ordered ids"). Clients see a UUID, as
    /// Cloudflare's are; the random bits keep ids unguessable.
    public static func timeOrdered(milliseconds: UInt64 = UInt64(max(0, Date().timeIntervalSince1970 * 1000))) -> PolicyID {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { output in
            RandomPool.fill(UnsafeMutableRawBufferPointer(rebasing: output[6...]))
            for index in 0..<6 { output[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
            output[6] = 0x70 | (output[6] & 0x0F)
            output[8] = 0x80 | (output[8] & 0x3F)
        }
        return PolicyID(uuid: UUID(uuid: bytes))
    }

    /// The canonical text: lowercase, hyphenated. Formatted by hand: every policy in every
    /// answer and every SQL statement needs it, and `uuidString.lowercased()` builds two strings.
    public var rawValue: String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { output in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        output[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    output[position] = Self.hexDigit(bytes[index] >> 4)
                    output[position + 1] = Self.hexDigit(bytes[index] & 0x0F)
                    position += 2
                }
                return position
            }
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }

    public var description: String { rawValue }

    /// The order of the canonical text, read from the bytes (hex digits sort as their nibbles).
    /// Byte order, which is the order of the canonical text. Compared as two big-endian words:
    /// the engine sorts thousands of ids on every write it applies.
    public static func < (lhs: PolicyID, rhs: PolicyID) -> Bool {
        let left = lhs.words, right = rhs.words
        return left.high != right.high ? left.high < right.high : left.low < right.low
    }

    private var words: (high: UInt64, low: UInt64) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            (
                UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }
}
