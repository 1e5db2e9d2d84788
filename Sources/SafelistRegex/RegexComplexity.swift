/// A quick estimate of what compiling a pattern will cost, read from its text before any
/// compiler sees it, to refuse the obvious bombs at once: Vectorscan expands a bounded repeat
/// into that many copies of what it repeats, and a Unicode property class such as `\p{L}`
/// into hundreds of byte sequences, so `\p{L}{1,500}` is a quarter of a million states. The
/// estimate is deliberately rough (each unit of text counts once, a repeat multiplies, an
/// alternative adds); the compile budget (`RegexWorkers`) catches what it misses.
public enum RegexComplexity {
    /// The largest count a repeat may have (`{n}`, `{n,}`, `{n,m}`).
    public static let maximumRepeat = 5_000
    /// The largest estimated expansion; address and domain patterns come to a few hundred.
    public static let maximumExpansion = 5_000
    /// Alternatives (`|`) in one pattern at most; a longer list belongs in several policies.
    public static let maximumAlternatives = 100
    /// What one Unicode property class (`\p{…}`, `\P{…}`, `\X`) counts for.
    static let propertyClassWeight = 50
    /// What `.` counts for: any UTF-8 character is up to four bytes.
    static let dotWeight = 4

    public struct Refusal: Error, Sendable, Equatable {
        public let reason: String
    }

    /// Throws why the pattern is too costly; returns for anything it cannot read (the compiler
    /// then judges it).
    public static func check(_ pattern: String) throws(Refusal) {
        var reader = Reader(Array(pattern.utf8))
        guard let cost = try reader.alternation(closing: false) else { return }
        if reader.alternatives > maximumAlternatives {
            throw Refusal(
                reason:
                    "it is too large to compile: \(reader.alternatives) alternatives ('|'), more than the \(maximumAlternatives) accepted; split it into several policies"
            )
        }
        if cost > maximumExpansion {
            throw Refusal(
                reason:
                    "it is too large to compile: its repeats and character classes expand to about \(cost) states, more than the \(maximumExpansion) accepted; use smaller counted repeats, or '+' and '*'"
            )
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0
        var alternatives = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        /// Alternatives up to `)` (when `closing`) or the end; nil when the text is not
        /// followed. Costs saturate rather than overflow.
        mutating func alternation(closing: Bool) throws(Refusal) -> Int? {
            var total = 0
            while true {
                guard let sequence = try sequence() else { return nil }
                total = add(total, sequence)
                switch current {
                case UInt8(ascii: "|"):
                    alternatives += 1
                    position += 1
                case UInt8(ascii: ")") where closing:
                    position += 1
                    return total
                case nil where !closing:
                    return total
                default:
                    return nil
                }
            }
        }

        mutating func sequence() throws(Refusal) -> Int? {
            var total = 0
            while let byte = current, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
                guard let atom = try atom() else { return nil }
                guard let repeated = try quantified(atom) else { return nil }
                total = add(total, repeated)
            }
            return total
        }

        mutating func atom() throws(Refusal) -> Int? {
            guard let byte = current else { return nil }
            position += 1
            switch byte {
            case UInt8(ascii: "\\"): return escape()
            case UInt8(ascii: "["): return characterClass()
            case UInt8(ascii: "("): return try group()
            case UInt8(ascii: "."): return dotWeight
            case UInt8(ascii: "^"), UInt8(ascii: "$"): return 0
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"): return nil
            default: return 1
            }
        }

        mutating func escape() -> Int? {
            guard let escaped = current else { return nil }
            position += 1
            switch escaped {
            case UInt8(ascii: "p"), UInt8(ascii: "P"):
                if current == UInt8(ascii: "{") { skip(past: UInt8(ascii: "}")) } else { position += 1 }
                return propertyClassWeight
            case UInt8(ascii: "X"):
                return propertyClassWeight
            case UInt8(ascii: "Q"):
                // Quoted text up to \E: each byte is a literal.
                let start = position
                while position + 1 < bytes.count, !(bytes[position] == UInt8(ascii: "\\") && bytes[position + 1] == UInt8(ascii: "E")) {
                    position += 1
                }
                let count = position - start
                position = min(bytes.count, position + 2)
                return count
            case UInt8(ascii: "x"), UInt8(ascii: "o"), UInt8(ascii: "N"), UInt8(ascii: "g"), UInt8(ascii: "k"):
                if current == UInt8(ascii: "{") { skip(past: UInt8(ascii: "}")) }
                return 1
            default:
                return 1
            }
        }

        mutating func characterClass() -> Int? {
            var weight = 1
            if current == UInt8(ascii: "^") { position += 1 }
            if current == UInt8(ascii: "]") { position += 1 }
            while let byte = current {
                position += 1
                switch byte {
                case UInt8(ascii: "]"): return weight
                case UInt8(ascii: "\\"):
                    if let escaped = current, escaped == UInt8(ascii: "p") || escaped == UInt8(ascii: "P") {
                        weight = propertyClassWeight
                    }
                    position += 1
                case UInt8(ascii: "[") where current == UInt8(ascii: ":"):
                    skip(past: UInt8(ascii: "]"))
                default: break
                }
            }
            return nil
        }

        mutating func group() throws(Refusal) -> Int? {
            if current == UInt8(ascii: "?") {
                position += 1
                switch current {
                case UInt8(ascii: "#"):
                    skip(past: UInt8(ascii: ")"))
                    return 0
                case UInt8(ascii: "<"), UInt8(ascii: "P"), UInt8(ascii: "'"):
                    // A named group, or lookbehind (which the compiler refuses anyway).
                    if bytes.count > position + 1, bytes[position + 1] == UInt8(ascii: "=") || bytes[position + 1] == UInt8(ascii: "!") {
                        position += 2
                    } else {
                        skip(past: current == UInt8(ascii: "'") ? UInt8(ascii: "'") : UInt8(ascii: ">"))
                    }
                default:
                    // Options and other group kinds: up to ':' or ')'.
                    while let byte = current, byte != UInt8(ascii: ":"), byte != UInt8(ascii: ")") { position += 1 }
                    if current == UInt8(ascii: ")") {
                        position += 1
                        return 0
                    }
                    position += 1
                }
            }
            return try alternation(closing: true)
        }

        /// The atom's cost times its repeat count, refusing counts past the limit.
        mutating func quantified(_ cost: Int) throws(Refusal) -> Int? {
            var total = cost
            while let byte = current {
                switch byte {
                case UInt8(ascii: "*"), UInt8(ascii: "+"):
                    position += 1
                    total = multiply(total, 2)
                case UInt8(ascii: "?"):
                    position += 1
                case UInt8(ascii: "{"):
                    guard let count = try countedRepeat() else { return total }
                    total = multiply(total, count)
                default:
                    return total
                }
                // A lazy or possessive marker.
                if current == UInt8(ascii: "?") || current == UInt8(ascii: "+") { position += 1 }
            }
            return total
        }

        /// `{n}`, `{n,}` or `{n,m}`: the count it expands to; nil (and nothing consumed) for a
        /// brace that is not a repeat.
        mutating func countedRepeat() throws(Refusal) -> Int? {
            var index = position + 1
            var numbers: [Int] = [], digits: Int?
            while index < bytes.count, bytes[index] != UInt8(ascii: "}") {
                let byte = bytes[index]
                if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    digits = min(1_000_000, (digits ?? 0) * 10 + Int(byte - UInt8(ascii: "0")))
                } else if byte == UInt8(ascii: ","), numbers.isEmpty, let value = digits {
                    numbers.append(value)
                    digits = nil
                } else {
                    return nil
                }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let text = String(decoding: bytes[position...index], as: UTF8.self)
            position = index + 1
            if let digits { numbers.append(digits) }
            guard let largest = numbers.max() else { return nil }
            if largest > maximumRepeat {
                throw Refusal(reason: "the repeat \(text) is too large to compile: it counts past \(maximumRepeat)")
            }
            return numbers.count == 1 && bytes[index - 1] == UInt8(ascii: ",") ? largest + 1 : largest
        }

        mutating func skip(past terminator: UInt8) {
            while let byte = current {
                position += 1
                if byte == terminator { return }
            }
        }

        func add(_ lhs: Int, _ rhs: Int) -> Int { min(Int.max / 4, lhs + rhs) }
        func multiply(_ lhs: Int, _ rhs: Int) -> Int { lhs.multipliedReportingOverflow(by: rhs).overflow ? Int.max / 4 : min(Int.max / 4, lhs * rhs) }
    }
}
