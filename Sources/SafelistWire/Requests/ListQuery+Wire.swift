import SafelistCore

extension ListQuery {
    /// Reads a list request's query parameters, in order and with repeats. Unknown parameters
    /// are ignored (clients add their own, such as cache busters); known ones with bad values
    /// are refused, all at once.
    public static func parse(_ items: [(name: String, value: String)]) throws(SafelistError) -> ListQuery {
        var query = ListQuery()
        var problems: [ErrorItem] = []
        var seen: Set<String> = [], repeated: Set<String> = []
        func fail(_ name: String, _ message: String) {
            problems.append(
                ErrorItem(
                    code: .invalidQueryParameter, message: message,
                    pointer: "/query/" + jsonPointerToken(name), parameter: name))
        }
        func flag(_ name: String, _ value: String) -> Bool? {
            switch value {
            case "true": return true
            case "false": return false
            default:
                fail(name, "\(name) must be true or false")
                return nil
            }
        }
        for (name, value) in items {
            guard Self.known.contains(name) else { continue }
            guard seen.insert(name).inserted else {
                // Once per name, however many times it repeats.
                if repeated.insert(name).inserted { fail(name, "\(name) is given more than once") }
                continue
            }
            switch name {
            case "page":
                guard let number = Int(value), number >= 1 else { fail(name, "page must be an integer of at least 1"); continue }
                query.page = number
            case "per_page":
                guard let number = Int(value), (1...maxPerPage).contains(number) else {
                    fail(name, "per_page must be an integer from 1 to \(maxPerPage)")
                    continue
                }
                query.perPage = number
            case "order":
                guard let order = Order(rawValue: value) else { fail(name, "order must be pattern or created_at"); continue }
                query.order = order
            case "direction":
                guard let direction = Direction(rawValue: value) else { fail(name, "direction must be asc or desc"); continue }
                query.direction = direction
            case "pattern":
                query.pattern = value
            case "pattern_type":
                guard let type = PatternType(rawValue: value) else {
                    fail(name, "pattern_type must be one of EMAIL, DOMAIN, IP, UNKNOWN")
                    continue
                }
                query.patternType = type
            case "search":
                query.search = value.isEmpty ? nil : value
            default:
                if let known = PolicyFlag(rawValue: name) { query[known] = flag(name, value) }
            }
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return query
    }

    static let known: Set<String> = Set(
        ["page", "per_page", "order", "direction", "pattern", "pattern_type", "search"]
            + PolicyFlag.allCases.map(\.rawValue))
}
