import Synchronization

/// Where a list page ended: its last row's value in the order column, and that row's id.
public struct PageBoundary: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case integer(Int64)
        case text(String)
    }

    public var value: Value
    public var id: String

    public init(value: Value, id: String) {
        self.value = value
        self.id = id
    }

    /// The boundary a policy sets when it is the last row of a page in `order`.
    public init(after policy: AllowPolicy, order: ListQuery.Order) {
        self.init(value: order == .pattern ? .text(policy.pattern) : .integer(policy.createdAt.microseconds),
                  id: policy.id.rawValue)
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
