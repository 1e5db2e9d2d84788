/// A validated pattern: `stored` is what the API returns, `matchKey` what matching and the
/// conflict rule compare (the ASCII form of internationalised names, the canonical IP form).
public struct CanonicalPattern: Sendable, Equatable {
    public var stored: String
    public var matchKey: String

    public init(stored: String, matchKey: String) {
        self.stored = stored
        self.matchKey = matchKey
    }
}

/// The one place a pattern is judged, for the API and every other writer (the CLI, imports). A
/// regex is judged from its text here; its compile check is `RegexCompileCheck`'s.
public enum PatternValidator {
    public static func validate(
        _ pattern: String, type: PatternType, isRegex: Bool, pointer: String = "/pattern"
    ) throws(SafelistError) -> CanonicalPattern {
        do {
            if isRegex {
                // The compile check follows, before the write (`RegexCheckedStore`).
                try RegexPolicy.staticCheck(pattern)
                return CanonicalPattern(stored: pattern, matchKey: pattern)
            }
            switch type {
            case .email: return try EmailAddress.canonicalize(pattern)
            case .domain: return try DomainName.canonicalize(pattern)
            case .ip:
                let block = try IPBlock.parsePublic(pattern)
                return CanonicalPattern(stored: block.description, matchKey: block.description)
            case .unknown:
                throw PatternProblem(
                    code: ErrorCode.invalidValue,
                    message: "pattern_type UNKNOWN cannot be written")
            }
        } catch let problem as PatternProblem {
            throw .validation([ErrorItem(code: problem.code, message: problem.message, pointer: pointer)])
        } catch {
            throw .validation([ErrorItem(code: ErrorCode.invalidValue, message: "\(error)", pointer: pointer)])
        }
    }
}

/// Why a pattern was refused, before it is placed in a request.
public struct PatternProblem: Error, Sendable, Equatable {
    public var code: ErrorCode
    public var message: String

    public init(code: ErrorCode, message: String) {
        self.code = code
        self.message = message
    }
}
