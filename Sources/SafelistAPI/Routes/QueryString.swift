import Foundation
import SafelistCore

/// Splits a URL query into decoded name/value pairs, in order and with repeats, as
/// `ListQuery.parse` wants them. `+` means a space (form encoding); bad escapes are an error.
enum QueryString {
    static func pairs(_ query: String?) throws(SafelistError) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        var pairs: [(name: String, value: String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pieces[0]), let value = decode(pieces.count > 1 ? pieces[1] : "") else {
                throw SafelistError(
                    .invalid, code: .invalidQueryParameter,
                    "The query string has a malformed percent-escape", pointer: "/query")
            }
            // Stores and logs would cut the text at a NUL; refused, as in JSON bodies.
            guard !name.unicodeScalars.contains("\u{0}"), !value.unicodeScalars.contains("\u{0}") else {
                throw SafelistError(
                    .invalid, code: .invalidQueryParameter,
                    "The query parameter \(name.isEmpty ? "(unnamed)" : name) holds U+0000, which is not accepted",
                    pointer: "/query/" + jsonPointerToken(name))
            }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
