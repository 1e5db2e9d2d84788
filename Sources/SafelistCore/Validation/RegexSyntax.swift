/// The interim syntax check for `is_regex` patterns: Java-style syntax restricted to what a
/// linear-time automaton engine can run. Backreferences, lookaround, atomic groups, possessive
/// quantifiers, conditionals and recursion are refused rather than accepted and risked. The
/// engine (Vectorscan) will take this check over; until then it is the single gate.
enum RegexSyntax {
    static let maxRepeat = 1000

    static func check(_ pattern: String) throws(PatternProblem) {
        var parser = Parser(chars: Array(pattern))
        try parser.parse()
    }

    private struct Parser {
        let chars: [Character]
        var index = 0
        var openGroups: [Int] = []
        /// Whether the previous token can take a quantifier.
        var canRepeat = false

        mutating func parse() throws(PatternProblem) {
            while index < chars.count {
                let ch = chars[index]
                switch ch {
                case "\\":
                    try escape()
                    canRepeat = true
                case "(":
                    try group()
                case ")":
                    guard openGroups.popLast() != nil else { throw problem("unmatched ')'", at: index) }
                    index += 1
                    canRepeat = true
                case "[":
                    try characterClass()
                    canRepeat = true
                case "*", "+", "?":
                    try quantifierSuffix(start: index, length: 1)
                case "{":
                    let start = index
                    guard let length = repeatLength(at: index) else {
                        throw problem("'{' does not start a valid repetition {n}, {n,} or {n,m}", at: index)
                    }
                    try quantifierSuffix(start: start, length: length)
                case "|":
                    index += 1
                    canRepeat = false
                case "^", "$":
                    index += 1
                    canRepeat = false
                default:
                    index += 1
                    canRepeat = true
                }
            }
            if let open = openGroups.last { throw problem("unclosed '('", at: open) }
        }

        private mutating func quantifierSuffix(start: Int, length: Int) throws(PatternProblem) {
            guard canRepeat else { throw problem("nothing to repeat", at: start) }
            index = start + length
            if index < chars.count, chars[index] == "+" {
                throw unsupported("possessive quantifiers", at: index)
            }
            if index < chars.count, chars[index] == "?" { index += 1 }
            canRepeat = false
        }

        /// The length of `{n}`, `{n,}` or `{n,m}` at `start`, checked for bounds.
        private func repeatLength(at start: Int) -> Int? {
            var cursor = start + 1
            func number() -> Int? {
                var digits = ""
                while cursor < chars.count, chars[cursor].isASCII, chars[cursor].isNumber {
                    digits.append(chars[cursor])
                    cursor += 1
                }
                return digits.isEmpty || digits.count > 6 ? nil : Int(digits)
            }
            guard let low = number(), low <= RegexSyntax.maxRepeat else { return nil }
            if cursor < chars.count, chars[cursor] == "," {
                cursor += 1
                if cursor < chars.count, chars[cursor] != "}" {
                    guard let high = number(), high >= low, high <= RegexSyntax.maxRepeat else { return nil }
                }
            }
            guard cursor < chars.count, chars[cursor] == "}" else { return nil }
            return cursor - start + 1
        }

        private mutating func group() throws(PatternProblem) {
            let start = index
            index += 1
            canRepeat = false
            guard index < chars.count, chars[index] == "?" else {
                openGroups.append(start)
                return
            }
            index += 1
            guard index < chars.count else { throw problem("incomplete group", at: start) }
            switch chars[index] {
            case ":":
                index += 1
            case "=", "!":
                throw unsupported("lookahead", at: start)
            case ">":
                throw unsupported("atomic groups", at: start)
            case "(":
                throw unsupported("conditionals", at: start)
            case "<":
                let next = index + 1 < chars.count ? chars[index + 1] : " "
                if next == "=" || next == "!" { throw unsupported("lookbehind", at: start) }
                index += 1
                let nameStart = index
                while index < chars.count, chars[index].isLetter || chars[index].isNumber { index += 1 }
                guard index > nameStart, index < chars.count, chars[index] == ">", chars[nameStart].isLetter else {
                    throw problem("invalid group name", at: start)
                }
                index += 1
            default:
                // Inline flags: (?i) (?-i) (?im:...)
                let flagStart = index
                while index < chars.count, "imsx-".contains(chars[index]) { index += 1 }
                guard index > flagStart, index < chars.count else {
                    throw unsupported("the group construct '(?\(chars[flagStart])'", at: start)
                }
                if chars[index] == ")" {
                    index += 1
                    return
                }
                guard chars[index] == ":" else {
                    throw unsupported("the group construct '(?\(chars[flagStart])'", at: start)
                }
                index += 1
            }
            openGroups.append(start)
        }

        private mutating func escape() throws(PatternProblem) {
            let start = index
            index += 1
            guard index < chars.count else { throw problem("trailing backslash", at: start) }
            let ch = chars[index]
            index += 1
            if let digit = ch.wholeNumberValue, ch.isASCII, digit > 0 {
                throw unsupported("backreferences", at: start)
            }
            switch ch {
            case "k":
                throw unsupported("backreferences", at: start)
            case "G", "K", "R", "X", "C":
                throw unsupported("the escape \\\(ch)", at: start)
            case "Q":
                // Literal text up to \E (or the end).
                while index < chars.count {
                    if chars[index] == "\\", index + 1 < chars.count, chars[index + 1] == "E" {
                        index += 2
                        return
                    }
                    index += 1
                }
            case "x", "u", "p", "P":
                if index < chars.count, chars[index] == "{" {
                    guard let close = chars[index...].firstIndex(of: "}") else {
                        throw problem("unclosed '{' in \\\(ch)", at: start)
                    }
                    index = close + 1
                }
            default:
                break
            }
        }

        private mutating func characterClass() throws(PatternProblem) {
            let start = index
            index += 1
            if index < chars.count, chars[index] == "^" { index += 1 }
            var first = true
            var previous: Character?
            while index < chars.count {
                let ch = chars[index]
                if ch == "]", !first {
                    index += 1
                    return
                }
                first = false
                if ch == "\\" {
                    try escape()
                    previous = nil
                    continue
                }
                if ch == "-", let low = previous, index + 1 < chars.count, chars[index + 1] != "]",
                   chars[index + 1] != "\\" {
                    let high = chars[index + 1]
                    if high < low { throw problem("invalid range \(low)-\(high) in character class", at: index - 1) }
                    index += 2
                    previous = nil
                    continue
                }
                previous = ch
                index += 1
            }
            throw problem("unclosed '['", at: start)
        }

        private func problem(_ what: String, at offset: Int) -> PatternProblem {
            PatternProblem(code: ErrorCode.invalidRegex,
                           message: "Invalid regular expression: \(what) at offset \(offset)")
        }

        private func unsupported(_ construct: String, at offset: Int) -> PatternProblem {
            PatternProblem(
                code: ErrorCode.unsupportedRegex,
                message: "Unsupported regular expression: \(construct) at offset \(offset) not supported; "
                    + "only constructs that match in linear time are accepted")
        }
    }
}
