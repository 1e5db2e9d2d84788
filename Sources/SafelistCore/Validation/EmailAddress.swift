/// EMAIL patterns: `local@domain`, matched case-insensitively, so stored lowercase. The domain
/// follows the DOMAIN rules; the local part is a dot-atom (RFC 5322), UTF-8 allowed (RFC 6531).
enum EmailAddress {
    static let maxLocalLength = 64
    private static let atomSpecials = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    static func canonicalize(_ text: String) throws(PatternProblem) -> CanonicalPattern {
        guard let at = text.lastIndex(of: "@") else {
            throw invalid("an email address needs the form local@domain")
        }
        let local = text[..<at]
        let domainText = String(text[text.index(after: at)...])
        guard !local.isEmpty else { throw invalid("the local part before @ is empty") }
        guard local.utf8.count <= maxLocalLength else {
            throw invalid("the local part is longer than \(maxLocalLength) bytes")
        }
        // Dots and characters checked byte by byte (a scalar walk for non-ASCII text): this
        // runs for every address written, and `Substring.contains` bridges through Foundation.
        let dot = UInt8(ascii: ".")
        guard local.utf8.first != dot, local.utf8.last != dot, !zip(local.utf8, local.utf8.dropFirst()).contains(where: { $0 == dot && $1 == dot })
        else {
            throw invalid("the local part may not start or end with a dot or hold two dots in a row")
        }
        if !local.utf8.allSatisfy(isAtomByte) {
            for scalar in local.unicodeScalars where !isAtomScalar(scalar) {
                throw invalid("the local part may not contain \(describe(scalar))")
            }
        }
        let domain: CanonicalPattern
        do {
            domain = try DomainName.canonicalize(domainText)
        } catch {
            throw PatternProblem(code: ErrorCode.invalidEmail, message: "Invalid email address: \(error.message)")
        }
        let lowerLocal = local.lowercased()
        return CanonicalPattern(
            stored: lowerLocal + "@" + domain.stored,
            matchKey: lowerLocal + "@" + domain.matchKey)
    }

    /// An ASCII byte of a dot-atom; false for any other byte, whose scalar is then checked.
    private static let atomBytes: [Bool] = (0..<256).map { byte in
        byte < 0x80 && isAtomScalar(Unicode.Scalar(UInt8(byte)))
    }

    private static func isAtomByte(_ byte: UInt8) -> Bool { atomBytes[Int(byte)] }

    private static func isAtomScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value > 0x7F { return !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control }
        if scalar == "." { return true }
        return (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
            || (scalar >= "0" && scalar <= "9") || atomSpecials.contains(scalar)
    }

    private static func invalid(_ reason: String) -> PatternProblem {
        PatternProblem(code: ErrorCode.invalidEmail, message: "Invalid email address: \(reason)")
    }
}

func describe(_ scalar: Unicode.Scalar) -> String {
    scalar.properties.isWhitespace || scalar.value < 0x20
        ? "the character U+" + String(scalar.value, radix: 16, uppercase: true) : "'\(scalar)'"
}
