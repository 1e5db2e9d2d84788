/// A policy store whose writes carry only regexes that compiled, under the request's budget
/// (`RegexBudget.current`), as the engine will compile them: every API write goes through it.
/// The patterns a request writes are checked first; a pattern that only the stored policy
/// reveals (an edit that sets `is_regex` on a stored pattern) makes the store's planner stop,
/// and that one is checked and the write tried again.
public struct RegexCheckedStore: WrappingPolicyStore {
    public let store: any PolicyStore
    public let compileCheck: any RegexCompileCheck

    public init(store: any PolicyStore, compileCheck: any RegexCompileCheck) {
        self.store = store
        self.compileCheck = compileCheck
    }

    public func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        var request = request
        var checked = Set<String>()
        let budget = RegexBudget.current ?? RegexBudget()
        try await check(request.regexPatterns, budget: budget, into: &checked)
        // Each round checks at least one new pattern; a concurrent edit could reveal another.
        for _ in 0..<4 {
            request.checkedRegexes = checked
            do {
                return try await store.write(account: account, request: request)
            } catch let needed as UncheckedRegexes {
                try await check(needed.patterns, budget: budget, into: &checked)
            }
        }
        throw SafelistError.unavailable("the policies kept changing while their regexes were checked; try again")
    }

    private func check(
        _ patterns: [(pattern: String, pointer: String)], budget: RegexBudget, into checked: inout Set<String>
    ) async throws {
        var pending: [(pattern: String, pointer: String)] = []
        var seen = Set<String>()
        for item in patterns where !checked.contains(item.pattern) && seen.insert(item.pattern).inserted { pending.append(item) }
        guard !pending.isEmpty else { return }
        let problems = try await compileCheck.check(pending.map(\.pattern), budget: budget)
        var items: [ErrorItem] = []
        for (item, problem) in zip(pending, problems) {
            guard let problem else {
                checked.insert(item.pattern)
                continue
            }
            // Every place the refused pattern appears in the request is reported.
            for place in patterns where place.pattern == item.pattern {
                items.append(ErrorItem(code: problem.code, message: problem.message, pointer: place.pointer))
            }
        }
        guard items.isEmpty else { throw SafelistError.validation(items) }
    }
}
