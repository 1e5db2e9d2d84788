import Synchronization

/// Where a list page ended: its last row's value in the order column, and that row's id.
public struct PageBoundary: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case integer(Int64)
        case text(String)
    }

    public var value: Value
    public var id: PolicyID

    public init(value: Value, id: PolicyID) {
        self.value = value
        self.id = id
    }

    /// The boundary a policy sets when it is the last row of a page in `order`.
    public init(after policy: AllowPolicy, order: ListQuery.Order) {
        self.init(
            value: order == .pattern ? .text(policy.pattern) : .integer(policy.createdAt.microseconds),
            id: policy.id)
    }
}

/// Remembers where recent pages ended, so that the next page of a sequential walk — what the
/// SDKs' auto-paging does — seeks past that boundary in the index instead of skipping `OFFSET`
/// entries. An entry holds only for the account's write generation it was read at: after any
/// write to the account's policies, seeking could differ from `OFFSET`, so the entry is ignored.
public final class PageBoundaryCache: Sendable {
    private struct Key: Hashable {
        var account: AccountID
        var query: ListQuery
    }

    private struct Entry {
        var generation: Int64
        var boundary: PageBoundary
    }

    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])
    private let hitCount = Atomic<Int>(0)

    /// How many pages were served by seeking: for tests and diagnostics.
    public var hits: Int { hitCount.load(ordering: .relaxed) }

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The end of the page before `query.page`, read at `generation`, if remembered.
    public func boundary(before query: ListQuery, account: AccountID, generation: Int64) -> PageBoundary? {
        guard query.page > 1 else { return nil }
        var previous = query
        previous.page -= 1
        let entry = entries.withLock { $0[Key(account: account, query: previous)] }
        guard let entry, entry.generation == generation else { return nil }
        hitCount.add(1, ordering: .relaxed)
        return entry.boundary
    }

    public func remember(_ boundary: PageBoundary, endOf query: ListQuery, account: AccountID, generation: Int64) {
        entries.withLock { entries in
            // Walks are short-lived; dropping everything when full keeps this O(1) and bounded.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[Key(account: account, query: query)] = Entry(generation: generation, boundary: boundary)
        }
    }
}

/// How a store reads one list page: by skipping `OFFSET` rows, or by seeking past the end of the
/// page before it. Both stores follow the same steps in one read transaction: count, read the
/// account's generation, ask `plan`, read the page as planned, then `finish` remembers where it
/// ended for the next page of a walk.
public enum PageRead: Sendable, Equatable {
    case offset(Int)
    case seek(after: PageBoundary)
}

extension PageBoundaryCache {
    /// How to read `query`'s page, or nil when it lies past the last of `total` rows (the empty
    /// page that ends an SDK's auto-paging). `seeking: false` always skips: the reference the
    /// seek path is tested against.
    public func plan(_ query: ListQuery, account: AccountID, total: Int, generation: Int64, seeking: Bool = true) -> PageRead? {
        guard let offset = query.offset, offset < total else { return nil }
        if seeking, let boundary = boundary(before: query, account: account, generation: generation) {
            return .seek(after: boundary)
        }
        return .offset(offset)
    }

    /// The page read, with where it ended remembered.
    public func finish(_ policies: [AllowPolicy], total: Int, query: ListQuery, account: AccountID, generation: Int64) -> ListPage {
        if let last = policies.last {
            remember(PageBoundary(after: last, order: query.order), endOf: query, account: account, generation: generation)
        }
        return ListPage(policies: policies, totalCount: total)
    }
}
