/// One allow policy as stored. `matchKey` is the canonical form used by the conflict rule and
/// the engine (ASCII for internationalised domains); `pattern` keeps the form the user gave.
public struct AllowPolicy: Sendable, Equatable {
    public var id: PolicyID
    public var accountID: AccountID
    public var pattern: String
    public var matchKey: String
    public var patternType: PatternType
    public var isRegex: Bool
    public var isTrustedSender: Bool
    public var isExemptRecipient: Bool
    public var isAcceptableSender: Bool
    public var verifySender: Bool
    public var comments: String?
    public var createdAt: Timestamp
    public var modifiedAt: Timestamp

    public init(
        id: PolicyID, accountID: AccountID, pattern: String, matchKey: String,
        patternType: PatternType, isRegex: Bool, isTrustedSender: Bool, isExemptRecipient: Bool,
        isAcceptableSender: Bool, verifySender: Bool, comments: String?,
        createdAt: Timestamp, modifiedAt: Timestamp
    ) {
        self.id = id
        self.accountID = accountID
        self.pattern = pattern
        self.matchKey = matchKey
        self.patternType = patternType
        self.isRegex = isRegex
        self.isTrustedSender = isTrustedSender
        self.isExemptRecipient = isExemptRecipient
        self.isAcceptableSender = isAcceptableSender
        self.verifySender = verifySender
        self.comments = comments
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }

    /// A new policy from validated fields. Its id, unless given, is made from `now`, the
    /// creation time it is stored with, rather than from a second read of the clock.
    public init(id: PolicyID? = nil, accountID: AccountID, fields: PolicyFields, now: Timestamp) {
        self.init(
            id: id ?? .timeOrdered(milliseconds: UInt64(max(0, now.microseconds / 1000))), accountID: accountID, pattern: fields.pattern.stored,
            matchKey: fields.pattern.matchKey, patternType: fields.patternType,
            isRegex: fields.isRegex, isTrustedSender: fields.isTrustedSender,
            isExemptRecipient: fields.isExemptRecipient,
            isAcceptableSender: fields.isAcceptableSender, verifySender: fields.verifySender,
            comments: fields.comments, createdAt: now, modifiedAt: now
        )
    }

    /// Replaces every client-settable field, keeping identity and creation time.
    public mutating func replace(with fields: PolicyFields, now: Timestamp) {
        let created = createdAt
        self = AllowPolicy(id: id, accountID: accountID, fields: fields, now: now)
        createdAt = created
    }
}
