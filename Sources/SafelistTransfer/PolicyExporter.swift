import SafelistCore
import Synchronization

/// Every policy of an account, oldest first: from one streamed query where the store has one
/// (`PolicyExportSource`: the databases), else a page of 1,000 at a time (a server's API):
/// sequential pages seek past the last one (`PageBoundaryCache`), so a million policies are a
/// thousand index walks, not a thousand growing skips.
public enum PolicyExporter {
    public static func export(from store: any PolicyStore, account: AccountID, to writer: PolicyFileWriter) async throws -> Int {
        if let source = store as? any PolicyExportSource {
            let written = Counter()
            try await source.forEachPolicy(account: account, batch: ListQuery.maxPerPage) { policies in
                try writer.write(policies)
                written.add(policies.count)
            }
            try writer.finish()
            return written.value
        }
        var query = ListQuery()
        query.perPage = ListQuery.maxPerPage
        query.order = .createdAt
        query.direction = .asc
        var written = 0
        while true {
            let page = try await store.list(account: account, query: query)
            try writer.write(page.policies)
            written += page.policies.count
            if page.policies.count < query.perPage || written >= page.totalCount { break }
            query.page += 1
        }
        try writer.finish()
        return written
    }
}

/// Rows written, counted inside the store's batches.
private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add(_ rows: Int) { count.withLock { $0 += rows } }
}
