/// The parameters of a list request, validated. Unknown parameters are ignored (clients add
/// their own, such as cache busters); known ones with bad values are refused, all at once.
public struct ListQuery: Sendable, Hashable {
    public enum Order: String, Sendable, Hashable { case pattern, createdAt = "created_at" }
    public enum Direction: String, Sendable, Hashable { case asc, desc }

    public static let maxPerPage = 1000

    public var page = 1
    public var perPage = 20
    public var order = Order.createdAt
    public var direction = Direction.asc
    public var pattern: String?
    public var patternType: PatternType?
    public var isTrustedSender: Bool?
    public var isExemptRecipient: Bool?
    public var isAcceptableSender: Bool?
    public var verifySender: Bool?
    public var search: String?

    public init() {}

    /// Rows to skip, or nil when the page lies beyond any possible result.
    public var offset: Int? {
        let (product, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow ? nil : product
    }

    public static func parse(_ items: [(name: String, value: String)]) throws(SafelistError) -> ListQuery {
        var query = ListQuery()
        var problems: [ErrorItem] = []
        var seen: Set<String> = []
        func fail(_ name: String, _ message: String) {
            problems.append(ErrorItem(code: ErrorCode.invalidQueryParameter, message: message,
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
                fail(name, "\(name) is given more than once")
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
            case "is_trusted_sender": query.isTrustedSender = flag(name, value)
            case "is_exempt_recipient": query.isExemptRecipient = flag(name, value)
            case "is_acceptable_sender": query.isAcceptableSender = flag(name, value)
            case "verify_sender": query.verifySender = flag(name, value)
            case "search":
                query.search = value.isEmpty ? nil : value
            default:
                break
            }
        }
        guard problems.isEmpty else { throw .validation(problems) }
        return query
    }

    static let known: Set<String> = [
        "page", "per_page", "order", "direction", "pattern", "pattern_type", "is_trusted_sender",
        "is_exempt_recipient", "is_acceptable_sender", "verify_sender", "search",
    ]

    /// The boolean filters that are set, by column name, for stores to turn into conditions.
    public var flagFilters: [(column: String, value: Bool)] {
        [
            ("is_trusted_sender", isTrustedSender), ("is_exempt_recipient", isExemptRecipient),
            ("is_acceptable_sender", isAcceptableSender), ("verify_sender", verifySender),
        ].compactMap { name, value in value.map { (name, $0) } }
    }

    /// The case-folded search text: stores compare it with the folded pattern and comments.
    public var foldedSearch: String? { search.map(Self.fold) }

    /// Case folding for search: Unicode lowercase, the same in every store.
    public static func fold(_ text: String) -> String { text.lowercased() }
}

/// One page of a list and the number of policies matching its filters.
public struct ListPage: Sendable, Equatable {
    public var policies: [AllowPolicy]
    public var totalCount: Int

    public init(policies: [AllowPolicy], totalCount: Int) {
        self.policies = policies
        self.totalCount = totalCount
    }
}
