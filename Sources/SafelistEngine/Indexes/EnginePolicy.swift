import SafelistCore

/// A policy as the engine keeps it: only what matching and reporting need, its key typed once
/// here (a literal name or address, a parsed IP block, or a regex), because a matcher holds a
/// million of them and builds its tables from these keys.
public struct EnginePolicy: Sendable, Equatable {
    /// What a literal lookup or a regex database is built from.
    enum Key: Sendable, Equatable {
        /// An EMAIL or DOMAIN literal in matching form (the ASCII form of names), or a regex.
        case text(String)
        case block(IPBlock)
        /// A stored pattern the engine cannot use (a row older than the validator): it matches
        /// nothing and is listed by `MatcherSnapshot.refusedPatterns`.
        case unusable
    }

    public let id: PolicyID
    public let pattern: String
    let key: Key
    public let type: PatternType
    public let isRegex: Bool
    public let grants: Grants
    public let verifySender: Bool

    public init(_ policy: AllowPolicy) {
        id = policy.id
        pattern = policy.pattern
        type = policy.patternType
        isRegex = policy.isRegex
        if policy.isRegex {
            key = .text(policy.pattern)
        } else if policy.patternType == .ip {
            key = (try? IPBlock.parse(policy.matchKey)).map(Key.block) ?? .unusable
        } else {
            // Most patterns are their own match key (an address or name already in lower case):
            // the key then shares the pattern's storage. Every copy of a policy (each layer
            // rebuild copies it) retains both strings, and one object is one cache miss, not two.
            key = .text(policy.matchKey == policy.pattern ? policy.pattern : policy.matchKey)
        }
        var grants: Grants = []
        if policy.isTrustedSender { grants.insert(.trustedSender) }
        if policy.isAcceptableSender { grants.insert(.acceptableSender) }
        if policy.isExemptRecipient { grants.insert(.exemptRecipient) }
        self.grants = grants
        verifySender = policy.verifySender
    }
}
