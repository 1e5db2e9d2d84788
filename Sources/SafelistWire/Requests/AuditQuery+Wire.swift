import SafelistCore

extension AuditQuery {
    /// Reads the audit route's query: `page`, `per_page`, `policy_id`, `actor`, and `since` and
    /// `until` as RFC 3339 times (`until` excluded).
    public static func parse(_ items: [(name: String, value: String)]) throws(SafelistError) -> AuditQuery {
        var query = AuditQuery()
        try QueryParameters.read(items, known: ["page", "per_page", "policy_id", "actor", "since", "until"]) { parameters, name, value in
            switch name {
            case "page":
                if let page = parameters.page(value) { query.page = page }
            case "per_page":
                if let perPage = parameters.perPage(value, max: maxPerPage) { query.perPage = perPage }
            case "policy_id":
                guard let id = PolicyID(value) else { return parameters.fail(name, "policy_id must be a policy id") }
                query.policyID = id
            case "actor":
                query.actor = value
            default:
                guard let time = Timestamp(rfc3339: value) else {
                    return parameters.fail(name, "\(name) must be an RFC 3339 time, such as 2026-01-31T12:00:00Z")
                }
                if name == "since" { query.since = time } else { query.until = time }
            }
        }
        return query
    }
}
