import SafelistRegex

/// `is_regex` patterns are judged by compiling them as the engine will (Vectorscan, whole
/// subject, caseless): what passes here is exactly what the engine can run, and nothing that
/// would need backtracking gets in.
enum RegexPolicy {
    static func check(_ pattern: String) throws(PatternProblem) {
        do {
            try WholeSubjectRegex.check(pattern)
        } catch {
            if error.isUnsupportedConstruct {
                throw PatternProblem(
                    code: ErrorCode.unsupportedRegex,
                    message: "Unsupported regular expression: \(error.reason) Only constructs that match in linear time are accepted")
            }
            throw PatternProblem(code: ErrorCode.invalidRegex, message: "Invalid regular expression: \(error.reason)")
        }
    }
}
