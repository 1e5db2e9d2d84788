import Foundation

/// DOMAIN patterns: a DNS name of two or more labels, stored lowercase without a trailing dot in
/// the form the user gave (Unicode or `xn--`), matched by its ASCII form.
public enum DomainName {
    static let maxLabelLength = 63
    static let maxNameLength = 253

    public static func canonicalize(_ text: String) throws(PatternProblem) -> CanonicalPattern {
        if let plain = plainASCII(text) { return plain }
        return try canonicalizeInGeneral(text)
    }

    /// Any name: Unicode labels converted, `xn--` labels decoded, and every problem worded.
    static func canonicalizeInGeneral(_ text: String) throws(PatternProblem) -> CanonicalPattern {
        var name = normalized(text).lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { throw invalid("the name is empty") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw invalid("a domain needs at least two labels (example.com)") }
        var asciiLabels: [String] = []
        for label in labels { asciiLabels.append(try asciiLabel(label)) }
        if let last = asciiLabels.last, last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            throw invalid("the last label may not be all digits (use pattern_type IP for addresses)")
        }
        let ascii = asciiLabels.joined(separator: ".")
        guard ascii.utf8.count <= maxNameLength else {
            throw invalid("the name is longer than \(maxNameLength) characters")
        }
        return CanonicalPattern(stored: name, matchKey: ascii)
    }

    /// A valid name of ASCII letters, digits, hyphens and dots, checked on its bytes in one pass
    /// by the rules `canonicalize` applies; nil for anything else (Unicode, an `xn--` label to
    /// decode, a problem to word), which takes the general path. Its stored form is its ASCII
    /// form. Every DOMAIN and EMAIL pattern written passes here: the general path, with its
    /// lowercased copies, split and joined labels, was a tenth of an import's reading.
    static func plainASCII(_ text: String) -> CanonicalPattern? {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= maxNameLength else { return nil }
        let dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        var labels = 0, start = 0, digitsOnly = true
        for index in 0...bytes.count {
            guard index < bytes.count, bytes[index] != dot else {
                let length = index - start
                guard length > 0, length <= maxLabelLength, bytes[start] != hyphen, bytes[index - 1] != hyphen else { return nil }
                if length >= 4, bytes[start] == UInt8(ascii: "x"), bytes[start + 1] == UInt8(ascii: "n"), bytes[start + 2] == hyphen,
                    bytes[start + 3] == hyphen
                {
                    return nil
                }
                labels += 1
                if index < bytes.count {
                    start = index + 1
                    digitsOnly = true
                }
                continue
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                bytes[index] = byte + 32
                digitsOnly = false
            case UInt8(ascii: "a")...UInt8(ascii: "z"), hyphen: digitsOnly = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"): break
            default: return nil
            }
        }
        guard labels >= 2, !digitsOnly else { return nil }
        let name = String(decoding: bytes, as: UTF8.self)
        return CanonicalPattern(stored: name, matchKey: name)
    }

    /// The ASCII (A-label) form of a name already known to be valid, for matching subjects.
    public static func asciiForm(_ text: String) -> String? {
        try? canonicalize(text).matchKey
    }

    /// Each label of a name in its ASCII form, lowercased, without the rules a pattern must
    /// follow (any number of labels): for names read from elsewhere, such as the Public Suffix
    /// List's rules. Nil when a label cannot be converted.
    public static func asciiLabels(_ text: String) -> String? {
        var labels: [String] = []
        for label in normalized(text).lowercased().split(separator: ".", omittingEmptySubsequences: false) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(String(label))
            } else {
                guard let encoded = Punycode.encode(String(label)) else { return nil }
                labels.append("xn--" + encoded)
            }
        }
        return labels.joined(separator: ".")
    }

    /// NFC, which ASCII text already is: Foundation's normalization bridges to `NSString` and
    /// was a sixth of a create's parsing and validation.
    private static func normalized(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
    }

    private static func asciiLabel(_ label: Substring) throws(PatternProblem) -> String {
        guard !label.isEmpty else { throw invalid("empty label (two dots in a row, or a leading dot)") }
        guard !label.hasPrefix("-"), !label.hasSuffix("-") else {
            throw invalid("label '\(label)' may not start or end with a hyphen")
        }
        let ascii: String
        if label.unicodeScalars.allSatisfy(\.isASCII) {
            for scalar in label.unicodeScalars where !isLDH(scalar) {
                throw invalid("label '\(label)' may not contain \(describe(scalar))")
            }
            ascii = String(label)
            if ascii.hasPrefix("xn--") {
                guard let decoded = Punycode.decode(String(ascii.dropFirst(4))), !decoded.isEmpty,
                    !decoded.unicodeScalars.allSatisfy(\.isASCII)
                else { throw invalid("label '\(label)' is not valid punycode") }
            }
        } else {
            for scalar in label.unicodeScalars where !isUnicodeLabelScalar(scalar) {
                throw invalid("label '\(label)' may not contain \(describe(scalar))")
            }
            guard let encoded = Punycode.encode(String(label)) else {
                throw invalid("label '\(label)' cannot be converted to its ASCII form")
            }
            ascii = "xn--" + encoded
        }
        guard ascii.utf8.count <= maxLabelLength else {
            throw invalid("label '\(label)' is longer than \(maxLabelLength) characters")
        }
        return ascii
    }

    private static func isLDH(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") || scalar == "-"
    }

    private static func isUnicodeLabelScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return isLDH(scalar) }
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
            return true
        default:
            return false
        }
    }

    private static func invalid(_ reason: String) -> PatternProblem {
        PatternProblem(code: ErrorCode.invalidDomain, message: "Invalid domain: \(reason)")
    }
}
