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

    /// The flag filters that are set, for stores to turn into conditions.
    public var flagFilters: [(flag: PolicyFlag, value: Bool)] {
        PolicyFlag.allCases.compactMap { flag in self[flag].map { (flag, $0) } }
    }

    /// The filter on one flag: nil when the query does not filter on it.
    public subscript(flag: PolicyFlag) -> Bool? {
        get {
            switch flag {
            case .isTrustedSender: isTrustedSender
            case .isExemptRecipient: isExemptRecipient
            case .isAcceptableSender: isAcceptableSender
            case .verifySender: verifySender
            }
        }
        set {
            switch flag {
            case .isTrustedSender: isTrustedSender = newValue
            case .isExemptRecipient: isExemptRecipient = newValue
            case .isAcceptableSender: isAcceptableSender = newValue
            case .verifySender: verifySender = newValue
            }
        }
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
