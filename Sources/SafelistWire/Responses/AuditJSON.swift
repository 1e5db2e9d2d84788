import SafelistCore

/// An audit entry as the API and `safelist audit --json` write it: the policy before and after
/// the change in the API's own policy form, null where there is none.
public struct AuditJSON: JSONWritable {
    let entry: AuditEntry

    public init(_ entry: AuditEntry) {
        self.entry = entry
    }

    public func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("id")
            writer.int(Int(entry.sequence))
            writer.key("policy_id")
            writer.string(entry.policyID.rawValue)
            writer.key("action")
            writer.string(entry.action.rawValue)
            writer.key("via")
            writer.string(entry.origin.channel.rawValue)
            writer.key("actor")
            writer.string(entry.origin.actor)
            writer.key("client")
            writer.string(entry.origin.client)
            writer.key("request_id")
            writer.string(entry.origin.requestID)
            writer.key("at")
            writer.string(entry.at.rfc3339)
            for (name, policy) in [("before", entry.before), ("after", entry.after)] {
                writer.key(name)
                if let policy { PolicyJSON(policy: policy).write(to: &writer) } else { writer.null() }
            }
        }
    }
}
