import Foundation
import SafelistRegex
import Synchronization

/// Compiles patterns as the engine will, under a budget, and says which cannot be run.
public protocol RegexCompileCheck: Sendable {
    /// Per pattern, in order: nil when it compiles, else why not. Throws `CancellationError`
    /// when the request was abandoned and `SafelistError` when the checks cannot be made.
    func check(_ patterns: [String], budget: RegexBudget) async throws -> [PatternProblem?]
}

/// What one request may spend compiling regexes: each pattern at most `perPattern`, all of the
/// request's patterns together until `deadline`. `isAbandoned` says the client went away.
public struct RegexBudget: Sendable {
    public static let defaultPerPattern: Duration = .seconds(2)
    public static let defaultPerRequest: Duration = .seconds(30)

    public var perPattern: Duration
    public var perRequest: Duration
    public var deadline: ContinuousClock.Instant
    public var isAbandoned: @Sendable () -> Bool

    public init(
        perPattern: Duration = defaultPerPattern, perRequest: Duration = defaultPerRequest,
        isAbandoned: @escaping @Sendable () -> Bool = { false }
    ) {
        self.perPattern = perPattern
        self.perRequest = perRequest
        deadline = .now + perRequest
        self.isAbandoned = isAbandoned
    }

    /// The budget of the request being served, which the HTTP layer sets; writes made outside
    /// a request (the CLI, tests) get a fresh default budget each.
    @TaskLocal public static var current: RegexBudget?
}

/// The production check: each pattern's two compiles (`WholeSubjectRegex.checkExpressions`) in
/// a worker process, killed at the budget's deadline.
public struct WorkerRegexCompileCheck: RegexCompileCheck {
    public let workers: RegexWorkers
    /// Patterns that compiled lately: a retried or repeated write does not compile them again.
    private let compiled = CompiledPatterns()

    public init(workers: RegexWorkers) {
        self.workers = workers
    }

    public func check(_ patterns: [String], budget: RegexBudget) async throws -> [PatternProblem?] {
        var problems: [PatternProblem?] = []
        for pattern in patterns {
            if compiled.contains(pattern) {
                problems.append(nil)
                continue
            }
            do {
                let results = try await workers.check(
                    WholeSubjectRegex.checkExpressions(pattern), compileLimit: budget.perPattern, deadline: budget.deadline,
                    isAbandoned: budget.isAbandoned)
                let problem = WholeSubjectRegex.refusal(fromChecks: results).map(RegexPolicy.problem)
                if problem == nil { compiled.insert(pattern) }
                problems.append(problem)
            } catch {
                switch error {
                case .deadlinePassed:
                    problems.append(
                        PatternProblem(
                            code: .regexTooCostly,
                            message:
                                "Regular expression too costly to compile: the request's regexes took more than \(Self.seconds(budget.perRequest)) s to check together, the budget of one request"
                        ))
                case .timedOut:
                    problems.append(
                        PatternProblem(
                            code: .regexTooCostly,
                            message:
                                "Regular expression too costly to compile: it took more than \(Self.seconds(budget.perPattern)) s, the budget of one pattern"
                        ))
                case .workerDied(let reason):
                    problems.append(
                        PatternProblem(
                            code: .regexTooCostly,
                            message: "Regular expression too costly to compile: \(reason) (\(workers.limits.memoryBytes / 1_048_576) MB)"))
                case .abandoned:
                    throw CancellationError()
                case .shutDown:
                    throw SafelistError.unavailable("the server is shutting down")
                case .unavailable(let reason):
                    throw SafelistError.unavailable("regular expressions cannot be checked now: \(reason)")
                }
            }
        }
        return problems
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// The check without worker processes, for when `safelist-regex-worker` cannot be found (the
/// server says so at start): compiles in this process, one pattern at a time on a thread of its
/// own. A pattern past the budget is refused on time, but its compilation cannot be stopped
/// and runs on meanwhile, so this is a fallback, not a defence.
public struct InProcessRegexCompileCheck: RegexCompileCheck {
    private static let queue = DispatchQueue(label: "safelist.regex.in-process-check")

    public init() {}

    public func check(_ patterns: [String], budget: RegexBudget) async throws -> [PatternProblem?] {
        var problems: [PatternProblem?] = []
        for pattern in patterns {
            let deadline = min(ContinuousClock.now + budget.perPattern, budget.deadline)
            let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<PatternProblem??, Never>) in
                let once = Once(continuation)
                Self.queue.async {
                    do throws(RegexRefusal) {
                        try WholeSubjectRegex.check(pattern)
                        once.resume(.some(nil))
                    } catch {
                        once.resume(.some(RegexPolicy.problem(error)))
                    }
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + Self.seconds(deadline - .now)) { once.resume(nil) }
            }
            if budget.isAbandoned() { throw CancellationError() }
            problems.append(
                outcome
                    ?? PatternProblem(
                        code: .regexTooCostly, message: "Regular expression too costly to compile: it did not compile within the budget"))
        }
        return problems
    }

    private static func seconds(_ duration: Duration) -> Double {
        max(0, Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// Resumes a continuation with the first value it is given.
    private final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<PatternProblem??, Never>?

        init(_ continuation: CheckedContinuation<PatternProblem??, Never>) {
            self.continuation = continuation
        }

        func resume(_ value: PatternProblem??) {
            let pending = lock.withLock { () -> CheckedContinuation<PatternProblem??, Never>? in
                defer { continuation = nil }
                return continuation
            }
            pending?.resume(returning: value)
        }
    }
}

/// A bounded set of patterns known to compile; forgets everything when full, which keeps it
/// O(1) and small.
final class CompiledPatterns: Sendable {
    private let patterns = Mutex(Set<String>())
    private let capacity = 16_384

    func contains(_ pattern: String) -> Bool { patterns.withLock { $0.contains(pattern) } }

    func insert(_ pattern: String) {
        patterns.withLock { patterns in
            if patterns.count >= capacity { patterns.removeAll(keepingCapacity: true) }
            patterns.insert(pattern)
        }
    }
}
