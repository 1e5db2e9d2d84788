/// What the engine needs to know of a subject's bytes before it looks anything up: whether the
/// regex filter may rule it out (plain), and where the dots of its domain part are (each
/// parent domain is looked up from one). One pass, eight bytes at a time, without a branch or
/// a bounds check a byte: this runs for every subject of every message.
enum SubjectScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080
    private static let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// Scans `bytes[start..<end]`, writing the offset of every dot at or after `domain` to
    /// `dots` (which has room for one per byte). Reads whole words, so up to seven bytes past
    /// `end` must be readable; they are masked off and never change the answer.
    @inline(__always)
    static func scan(
        _ bytes: UnsafeRawPointer, _ start: Int, _ end: Int, domain: Int,
        dots: UnsafeMutablePointer<Int32>
    ) -> (plain: Bool, dotCount: Int) {
        var bad: UInt64 = 0
        var dotCount = 0
        var offset = start
        while offset < end {
            var word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let remaining = end - offset
            let valid: UInt64 = remaining >= 8 ? ~0 : (1 << UInt64(remaining * 8)) &- 1
            // Bytes past the end read as `a`, which is plain and not a dot.
            word = word & valid | 0x6161_6161_6161_6161 & ~valid
            bad |= notPlain(word)
            let before = domain - offset
            let inDomain: UInt64 = before <= 0 ? ~0 : before >= 8 ? 0 : ~((1 << UInt64(before * 8)) &- 1)
            var found = zeroBytes(word ^ 0x2E2E_2E2E_2E2E_2E2E) & inDomain
            while found != 0 {
                dots[dotCount] = Int32(truncatingIfNeeded: offset + found.trailingZeroBitCount >> 3)
                dotCount &+= 1
                found &= found &- 1
            }
            offset &+= 8
        }
        return (bad == 0, dotCount)
    }

    /// The high bit of each byte of `word` that is zero, and no other bit.
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~((word & lows &+ lows) | word | lows)
    }

    /// Nonzero when some byte of `word` is not printable lowercase ASCII: below `!`, above `~`
    /// or a capital. Each test is exact for the word as a whole (bit-twiddling hacks' hasless,
    /// hasmore and hasbetween), which is all a plain test needs.
    @inline(__always)
    static func notPlain(_ word: UInt64) -> UInt64 {
        let below = (word &- ones &* 0x21) & ~word & highs
        let above = (word &+ ones | word) & highs
        let low7 = word & lows
        let capital = (ones &* (127 + 0x5B) &- low7) & ~word & (low7 &+ ones &* (127 - 0x40)) & highs
        return below | above | capital
    }
}
