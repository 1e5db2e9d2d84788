import CVectorscan
import Foundation

/// The dialect of `is_regex` patterns (docs/engine.md): the expression must match the whole
/// subject, case-insensitively, as Java's `matches()` does. Vectorscan has no "whole subject"
/// mode, so each pattern is compiled inside anchors; the group keeps alternations whole.
public enum WholeSubjectRegex {
    /// Caseless; one report per pattern and subject is all the engine needs; `.*` may match an
    /// empty subject; subjects are UTF-8, so `.` is one character, not one byte.
    static let flags = UInt32(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | HS_FLAG_UTF8)

    static let prefix = "\\A(?:"

    /// The Vectorscan this process compiles with: a compiled database is only reused by the same.
    public static let compilerVersion = String(cString: hs_version())

    /// The form every tenant expression is compiled in.
    public static func expression(_ pattern: String) -> String {
        prefix + pattern + ")\\z"
    }

    /// Compiles the pattern alone and anchored, as the engine will; throws why Vectorscan
    /// cannot run it. Both compiles are needed: the bare one refuses text that would close the
    /// group and escape the anchors (`a)|(.*` compiles anchored, as `\A(?:a)|(.*)\z`, and would
    /// match every subject), and gives offsets in the user's own text; the anchored one catches
    /// text that swallows the anchors (`\Q` without `\E`).
    public static func check(_ pattern: String) throws(RegexRefusal) {
        let results = checkExpressions(pattern).map { item -> String? in
            do throws(RegexCompileError) {
                _ = try RegexDatabase(expressions: [item.expression])
                return nil
            } catch {
                return error.message
            }
        }
        if let refusal = refusal(fromChecks: results) { throw refusal }
    }

    /// The two compiles `check` makes, as a job for `RegexWorkers.check`.
    public static func checkExpressions(_ pattern: String) -> [(expression: String, flags: UInt32)] {
        [(pattern, flags), (expression(pattern), flags)]
    }

    /// Why the pattern is refused, from the results of `checkExpressions`' compiles; nil when
    /// both compiled.
    public static func refusal(fromChecks results: [String?]) -> RegexRefusal? {
        if let bare = results.first, let reason = bare { return RegexRefusal(reason: reason) }
        if results.count > 1, let reason = results[1] {
            return RegexRefusal(reason: "it cannot be anchored to the whole subject (\(userOffsets(reason)))")
        }
        return nil
    }

    /// Vectorscan counts offsets in the anchored text; the user wrote the text without the prefix.
    private static func userOffsets(_ message: String) -> String {
        guard let range = message.range(of: "index "),
            let number = Int(message[range.upperBound...].prefix { $0.isNumber })
        else { return message }
        let digits = message[range.upperBound...].prefix { $0.isNumber }
        let shift = prefix.count
        return message.replacingCharacters(in: range.upperBound..<digits.endIndex, with: String(max(0, number - shift)))
    }
}

/// Why a pattern was refused: Vectorscan's own words.
public struct RegexRefusal: Error, Sendable, Equatable {
    public var reason: String

    /// True when the pattern is well formed but uses something a linear-time engine cannot run
    /// (backreferences, lookaround, atomic groups, conditionals, oversized repeats), as opposed
    /// to a syntax error.
    public var isUnsupportedConstruct: Bool {
        let text = reason.lowercased()
        return ["not supported", "unsupported", "too large", "resource limit", "back reference", "conditional"]
            .contains { text.contains($0) }
    }
}
