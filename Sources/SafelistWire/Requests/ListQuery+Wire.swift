import SafelistCore

extension ListQuery {
    /// Reads a list request's query parameters, in order and with repeats; known ones with bad
    /// values are refused, all at once (`QueryParameters`).
    public static func parse(_ items: [(name: String, value: String)]) throws(SafelistError) -> ListQuery {
        var query = ListQuery()
        try QueryParameters.read(items, known: known) { parameters, name, value in
            switch name {
            case "page":
                if let page = parameters.page(value) { query.page = page }
            case "per_page":
                if let perPage = parameters.perPage(value, max: maxPerPage) { query.perPage = perPage }
            case "order":
                guard let order = Order(rawValue: value) else { return parameters.fail(name, "order must be pattern or created_at") }
                query.order = order
            case "direction":
                guard let direction = Direction(rawValue: value) else { return parameters.fail(name, "direction must be asc or desc") }
                query.direction = direction
            case "pattern":
                query.pattern = value
            case "pattern_type":
                guard let type = PatternType(rawValue: value) else {
                    return parameters.fail(name, "pattern_type must be one of EMAIL, DOMAIN, IP, UNKNOWN")
                }
                query.patternType = type
            case "search":
                query.search = value.isEmpty ? nil : value
            default:
                if let known = PolicyFlag(rawValue: name) { query[known] = parameters.flag(name, value) }
            }
        }
        return query
    }

    static let known: Set<String> = Set(
        ["page", "per_page", "order", "direction", "pattern", "pattern_type", "search"]
            + PolicyFlag.allCases.map(\.rawValue))
}
