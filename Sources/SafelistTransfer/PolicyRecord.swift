import SafelistCore

/// One policy read from an import file, validated as the API validates a create: its fields,
/// and the identity and times the file gave it (kept with `--keep-ids`).
public struct PolicyRecord: Sendable {
    /// The record's line in the file (a CSV header is line 1).
    public var line: Int
    public var fields: PolicyFields
    public var id: PolicyID?
    public var createdAt: Timestamp?
    public var modifiedAt: Timestamp?

    public init(line: Int, fields: PolicyFields, id: PolicyID? = nil, createdAt: Timestamp? = nil, modifiedAt: Timestamp? = nil) {
        self.line = line
        self.fields = fields
        self.id = id
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }

    /// The policy to store: the file's id and times when kept and given, new ones otherwise.
    public func policy(account: AccountID, keepingIDs: Bool, now: Timestamp) -> AllowPolicy {
        var policy = AllowPolicy(id: keepingIDs ? id : nil, accountID: account, fields: fields, now: keepingIDs ? createdAt ?? now : now)
        if keepingIDs, let modifiedAt { policy.modifiedAt = modifiedAt }
        return policy
    }
}

/// Why a line of an import file is refused: its line, the field (a column or JSON member; empty
/// for the whole line) and the API's message.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var field: String
    public var message: String

    public init(line: Int, field: String, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String { "line \(line)" + (field.isEmpty ? "" : ", \(field)") + ": \(message)" }
}
