/// What a change did to a policy.
public enum AuditAction: String, Sendable, CaseIterable {
    case create, edit, replace, delete
}

/// One recorded policy change: written in the same transaction as the change, so the trail
/// holds exactly the changes that were committed. `before` is nil for a create, `after` for a
/// delete.
public struct AuditEntry: Sendable, Equatable {
    /// Increasing in commit order across the whole store; the trail's cursor.
    public var sequence: Int64
    public var accountID: AccountID
    public var policyID: PolicyID
    public var action: AuditAction
    public var origin: ChangeOrigin
    public var at: Timestamp
    public var before: AllowPolicy?
    public var after: AllowPolicy?

    public init(
        sequence: Int64, accountID: AccountID, policyID: PolicyID, action: AuditAction, origin: ChangeOrigin, at: Timestamp,
        before: AllowPolicy?, after: AllowPolicy?
    ) {
        self.sequence = sequence
        self.accountID = accountID
        self.policyID = policyID
        self.action = action
        self.origin = origin
        self.at = at
        self.before = before
        self.after = after
    }
}

extension AuditEntry {
    /// The entry of a policy loaded as it is (an import), numbered by the store.
    public init(created policy: AllowPolicy, by origin: ChangeOrigin) {
        self.init(
            sequence: 0, accountID: policy.accountID, policyID: policy.id, action: .create, origin: origin, at: policy.createdAt,
            before: nil, after: policy)
    }
}
