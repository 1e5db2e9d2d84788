import SafelistRegex

/// `is_regex` patterns are judged in two steps. Here, at once, from the text: the cheap limits
/// that refuse a compilation bomb before any compiler sees it (`RegexComplexity`). Then, before
/// the write, by compiling the pattern as the engine will (Vectorscan, whole subject,
/// caseless) in a worker process under a time and memory budget (`RegexCompileCheck`): what
/// passes is exactly what the engine can run, and nothing that needs backtracking gets in.
enum RegexPolicy {
    static func staticCheck(_ pattern: String) throws(PatternProblem) {
        do {
            try RegexComplexity.check(pattern)
        } catch {
            throw PatternProblem(code: .unsupportedRegex, message: "Unsupported regular expression: \(error.reason)")
        }
    }

    /// The problem a compile check's refusal is reported as.
    static func problem(_ refusal: RegexRefusal) -> PatternProblem {
        if refusal.isUnsupportedConstruct {
            return PatternProblem(
                code: .unsupportedRegex,
                message: "Unsupported regular expression: \(refusal.reason) Only constructs that match in linear time are accepted")
        }
        return PatternProblem(code: .invalidRegex, message: "Invalid regular expression: \(refusal.reason)")
    }
}
