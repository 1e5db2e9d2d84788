/// A page of an account's audit trail, newest first, narrowed by policy, actor and time.
public struct AuditQuery: Sendable, Equatable {
    public static let maxPerPage = 1000

    public var page = 1
    public var perPage = 20
    public var policyID: PolicyID?
    public var actor: String?
    /// Changes at or after `since`, and before `until`.
    public var since: Timestamp?
    public var until: Timestamp?

    public init() {}

    /// Entries to skip, or nil when the page lies beyond any possible trail (a page number so
    /// large that the product overflows).
    public var offset: Int? {
        let (product, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow || product > Int(Int64.max) ? nil : product
    }
}

public struct AuditPage: Sendable, Equatable {
    public var entries: [AuditEntry]
    public var totalCount: Int

    public init(entries: [AuditEntry], totalCount: Int) {
        self.entries = entries
        self.totalCount = totalCount
    }
}

/// Where the audit trail is kept: in the store that holds the policies, written by its writes.
public protocol AuditLog: Sendable {
    func audit(account: AccountID, query: AuditQuery) async throws -> AuditPage

    /// Removes entries older than `cutoff`, oldest first, at most `limit` of them; how many went.
    /// Callers repeat until it returns less than `limit`, so no one transaction holds the writer long.
    func pruneAudit(olderThan cutoff: Timestamp, limit: Int) async throws -> Int
}
