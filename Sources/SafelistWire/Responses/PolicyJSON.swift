import SafelistCore

/// A policy as the API writes it: every field, deprecated mirrors included, `comments` as null
/// when empty (the official SDKs' strict mode requires the timestamps and a known pattern_type).
public struct PolicyJSON: JSONWritable {
    let policy: AllowPolicy

    /// The members this object has that a create body has not: what a reader of these objects
    /// (an import, the command line's remote mode) lets through besides the fields.
    public static let serverKeys: Set<String> = ["id", "created_at", "modified_at", "last_modified"]

    public init(policy: AllowPolicy) {
        self.policy = policy
    }

    public func write(to writer: inout JSONWriter) {
        let modified = policy.modifiedAt.rfc3339
        writer.object { writer in
            writer.key("id")
            writer.string(policy.id.rawValue)
            writer.key("created_at")
            writer.string(policy.createdAt.rfc3339)
            writer.key("modified_at")
            writer.string(modified)
            writer.key("last_modified")
            writer.string(modified)
            writer.key(PolicyField.pattern.rawValue)
            writer.string(policy.pattern)
            writer.key(PolicyField.patternType.rawValue)
            writer.string(policy.patternType.rawValue)
            writer.key(PolicyField.isRegex.rawValue)
            writer.bool(policy.isRegex)
            writer.key(PolicyField.comments.rawValue)
            writer.string(policy.comments)
            for flag in PolicyFlag.allCases {
                writer.key(flag.rawValue)
                writer.bool(policy[flag])
            }
            for (alias, field) in PolicyField.aliases {
                guard let flag = field.flag else { continue }
                writer.key(alias)
                writer.bool(policy[flag])
            }
        }
    }
}

/// `{"id": …}`: what delete answers, and the entries of a batch's `deletes`.
public struct DeletedJSON: JSONWritable {
    let id: String

    public init(id: PolicyID) {
        self.id = id.rawValue
    }

    public func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("id")
            writer.string(id)
        }
    }
}

public struct BatchResultJSON: JSONWritable {
    let result: BatchResult

    public init(_ result: BatchResult) {
        self.result = result
    }

    public func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("deletes")
            writer.array(result.deletes) { DeletedJSON(id: $1).write(to: &$0) }
            writer.key("patches")
            writer.array(result.patches) { PolicyJSON(policy: $1).write(to: &$0) }
            writer.key("puts")
            writer.array(result.puts) { PolicyJSON(policy: $1).write(to: &$0) }
            writer.key("posts")
            writer.array(result.posts) { PolicyJSON(policy: $1).write(to: &$0) }
        }
    }
}
