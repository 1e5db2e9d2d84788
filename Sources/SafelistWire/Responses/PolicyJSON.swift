import SafelistCore

/// A policy as the API writes it: every field, deprecated mirrors included, `comments` as null
/// when empty (the official SDKs' strict mode requires the timestamps and a known pattern_type).
public struct PolicyJSON: Encodable {
    let policy: AllowPolicy

    public init(policy: AllowPolicy) {
        self.policy = policy
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(policy.id.rawValue, forKey: "id")
        try c.encode(policy.createdAt.rfc3339, forKey: "created_at")
        try c.encode(policy.modifiedAt.rfc3339, forKey: "modified_at")
        try c.encode(policy.modifiedAt.rfc3339, forKey: "last_modified")
        try c.encode(policy.pattern, forKey: JSONKey(PolicyField.pattern.rawValue))
        try c.encode(policy.patternType.rawValue, forKey: JSONKey(PolicyField.patternType.rawValue))
        try c.encode(policy.isRegex, forKey: JSONKey(PolicyField.isRegex.rawValue))
        try c.encode(policy.comments, forKey: JSONKey(PolicyField.comments.rawValue))
        for flag in PolicyFlag.allCases { try c.encode(policy[flag], forKey: JSONKey(flag.rawValue)) }
        for (alias, field) in PolicyField.aliases {
            if let flag = field.flag { try c.encode(policy[flag], forKey: JSONKey(alias)) }
        }
    }
}

/// `{"id": …}`: what delete answers, and the entries of a batch's `deletes`.
public struct DeletedJSON: Encodable {
    let id: String

    public init(id: PolicyID) {
        self.id = id.rawValue
    }
}

public struct BatchResultJSON: Encodable {
    let deletes: [DeletedJSON]
    let patches: [PolicyJSON]
    let puts: [PolicyJSON]
    let posts: [PolicyJSON]

    public init(_ result: BatchResult) {
        deletes = result.deletes.map { DeletedJSON(id: $0) }
        patches = result.patches.map(PolicyJSON.init)
        puts = result.puts.map(PolicyJSON.init)
        posts = result.posts.map(PolicyJSON.init)
    }
}
