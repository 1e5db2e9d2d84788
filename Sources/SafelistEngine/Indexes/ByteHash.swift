/// The engine's keyed hashes: of a subject's bytes (addresses and names), and of an IP
/// network. The seed differs per process, so a tenant cannot precompute keys that collide on
/// every node; every multiplication has an operand the seed hides, so no public input zeroes it.
///
/// wyhash's shape: one 64 × 64 → 128-bit multiplication folds sixteen bytes. Hashing is most of
/// an evaluation's arithmetic: about ten keys a message, each hashed for a filter and a table.
enum ByteHash {
    /// Each table reads it once, into a field, and hashes its keys and lookups with that:
    /// reading a `static let` is a call to `swift_once` every time.
    static let seed = UInt64.random(in: 1...UInt64.max)

    private static let p0: UInt64 = 0xA076_1D64_78BD_642F
    private static let p1: UInt64 = 0xE703_7ED1_A0B4_28DB

    /// Reads only `bytes`: the last word is read ending at the end, overlapping the one before.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let count = bytes.count
        var state = seed ^ p0
        let a: UInt64, b: UInt64
        if count <= 16 {
            if count >= 8 {
                a = bytes.loadUnaligned(as: UInt64.self)
                b = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            } else if count >= 4 {
                a = UInt64(bytes.loadUnaligned(as: UInt32.self))
                b = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            } else if count > 0 {
                a = UInt64(bytes[0]) << 16 | UInt64(bytes[count >> 1]) << 8 | UInt64(bytes[count - 1])
                b = 0
            } else {
                a = 0
                b = 0
            }
        } else {
            var offset = 0
            while count - offset > 16 {
                state = fold(
                    bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ seed,
                    bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self) ^ state)
                offset &+= 16
            }
            a = bytes.loadUnaligned(fromByteOffset: count - 16, as: UInt64.self)
            b = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        return fold(p1 ^ UInt64(truncatingIfNeeded: count), fold(a ^ seed, b ^ state))
    }

    /// An IP network with its family and prefix length (`key`).
    @inline(__always)
    static func hash(network low: UInt64, _ high: UInt64, key: UInt16, seed: UInt64) -> UInt64 {
        fold(p1 ^ UInt64(key), fold(low ^ seed, high ^ seed ^ p0))
    }

    /// The high and low halves of the full product, exclusive-ored: every bit of the result
    /// depends on every bit of both operands.
    @inline(__always)
    static func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: y)
        return product.high ^ product.low
    }
}
