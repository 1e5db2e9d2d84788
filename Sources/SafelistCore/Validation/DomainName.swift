import Foundation

/// DOMAIN patterns: a DNS name of two or more labels, stored lowercase without a trailing dot in
/// the form the user gave (Unicode or `xn--`), matched by its ASCII form.
public enum DomainName {
    static let maxLabelLength = 63
    static let maxNameLength = 253

    public static func canonicalize(_ text: String) throws(PatternProblem) -> CanonicalPattern {
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
