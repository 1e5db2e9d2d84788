import SafelistCore
import SafelistRegex

/// How tests compile-check regexes: in worker processes as the server does (the worker is built
/// beside the test bundle), else in this process.
public enum RegexChecks {
    public static let compileCheck: any RegexCompileCheck =
        RegexWorkers.locate()
        .map { WorkerRegexCompileCheck(workers: RegexWorkers(executable: $0)) } ?? InProcessRegexCompileCheck()

    /// A pattern judged as a write judges it: from its text, then compiled.
    public static func judge(_ pattern: String, type: PatternType = .email) async throws -> CanonicalPattern {
        let canonical = try PatternValidator.validate(pattern, type: type, isRegex: true)
        if let problem = try await compileCheck.check([pattern], budget: RegexBudget()).first ?? nil {
            throw SafelistError.validation([ErrorItem(code: problem.code, message: problem.message, pointer: "/pattern")])
        }
        return canonical
    }

    /// The store as the API writes to it: regexes compile-checked first.
    public static func checked(_ store: any PolicyStore) -> RegexCheckedStore {
        RegexCheckedStore(store: store, compileCheck: compileCheck)
    }
}
