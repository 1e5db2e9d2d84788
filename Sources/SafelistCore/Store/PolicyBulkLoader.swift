/// Loads many new policies at once (imports, seeds, benchmarks): one transaction, one
/// generation per account, each policy recorded as a create by `origin` in the audit trail.
public protocol PolicyBulkLoader: Sendable {
    func insert(_ policies: [AllowPolicy], origin: ChangeOrigin, indexing: BulkIndexing) async throws

    /// Every policy of the account by its conflict key: what an import checks its rows against,
    /// in one read rather than one a row.
    func conflictKeys(account: AccountID) async throws -> [PolicyConflictKey: PolicyID]

    /// Which of these ids some policy, of any account, already has.
    func existingIDs(_ ids: [PolicyID]) async throws -> Set<PolicyID>
}

extension PolicyBulkLoader {
    public func insert(_ policies: [AllowPolicy], origin: ChangeOrigin = .system) async throws {
        try await insert(policies, origin: origin, indexing: .maintained)
    }
}

/// What a large load does with the policies' secondary indexes where that is a choice. SQLite
/// always sets them aside and builds them after: its readers keep their snapshot meanwhile.
/// On PostgreSQL, dropping them inside the load's transaction locks the table until it commits.
public enum BulkIndexing: Sendable {
    /// Each row goes through every index; readers are never held up.
    case maintained
    /// The indexes are dropped for the load and built once after (PostgreSQL): many times
    /// faster for a load as large as the table, but reads of any account's policies wait.
    case rebuiltExclusively
}

/// What the conflict rule compares (spec: one policy per pattern type, regex flag and canonical
/// pattern in an account), as the stores' unique index does.
public struct PolicyConflictKey: Hashable, Sendable {
    public var patternType: PatternType
    public var isRegex: Bool
    public var matchKey: String

    public init(patternType: PatternType, isRegex: Bool, matchKey: String) {
        self.patternType = patternType
        self.isRegex = isRegex
        self.matchKey = matchKey
    }

    public init(_ fields: PolicyFields) {
        self.init(patternType: fields.patternType, isRegex: fields.isRegex, matchKey: fields.pattern.matchKey)
    }
}
