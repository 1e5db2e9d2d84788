import SafelistCore

/// A policy as the API writes it: every field, deprecated mirrors included, `comments` as null
/// when empty (the official SDKs' strict mode requires the timestamps and a known pattern_type).
struct PolicyJSON: Encodable {
    let policy: AllowPolicy

    enum Key: String, CodingKey {
        case id, pattern, comments
        case createdAt = "created_at", modifiedAt = "modified_at", lastModified = "last_modified"
        case patternType = "pattern_type", isRegex = "is_regex"
        case isTrustedSender = "is_trusted_sender", isExemptRecipient = "is_exempt_recipient"
        case isAcceptableSender = "is_acceptable_sender", verifySender = "verify_sender"
        case isSender = "is_sender", isRecipient = "is_recipient", isSpoof = "is_spoof"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(policy.id.rawValue, forKey: .id)
        try c.encode(policy.createdAt.rfc3339, forKey: .createdAt)
        try c.encode(policy.modifiedAt.rfc3339, forKey: .modifiedAt)
        try c.encode(policy.modifiedAt.rfc3339, forKey: .lastModified)
        try c.encode(policy.pattern, forKey: .pattern)
        try c.encode(policy.patternType.rawValue, forKey: .patternType)
        try c.encode(policy.isRegex, forKey: .isRegex)
        try c.encode(policy.isTrustedSender, forKey: .isTrustedSender)
        try c.encode(policy.isExemptRecipient, forKey: .isExemptRecipient)
        try c.encode(policy.isAcceptableSender, forKey: .isAcceptableSender)
        try c.encode(policy.verifySender, forKey: .verifySender)
        try c.encode(policy.comments, forKey: .comments)
        try c.encode(policy.isTrustedSender, forKey: .isSender)
        try c.encode(policy.isExemptRecipient, forKey: .isRecipient)
        try c.encode(policy.isAcceptableSender, forKey: .isSpoof)
    }
}

/// `{"id": …}`: what delete answers, and the entries of a batch's `deletes`.
struct DeletedJSON: Encodable {
    let id: String
}

struct BatchResultJSON: Encodable {
    let deletes: [DeletedJSON]
    let patches: [PolicyJSON]
    let puts: [PolicyJSON]
    let posts: [PolicyJSON]

    init(_ result: BatchResult) {
        deletes = result.deletes.map { DeletedJSON(id: $0.rawValue) }
        patches = result.patches.map(PolicyJSON.init)
        puts = result.puts.map(PolicyJSON.init)
        posts = result.posts.map(PolicyJSON.init)
    }
}
