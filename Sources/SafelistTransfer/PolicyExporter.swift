import SafelistCore

/// Every policy of an account, oldest first, a page of 1,000 at a time: sequential pages seek
/// past the last one (`PageBoundaryCache`), so a million policies are a thousand index walks,
/// not a thousand growing skips. The next page is read while this one is written: the store
/// reads on its own threads, so the two overlap on two cores.
public enum PolicyExporter {
    public static func export(
        from store: any PolicyStore, account: AccountID, to writer: PolicyFileWriter, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> Int {
        var query = ListQuery()
        query.perPage = ListQuery.maxPerPage
        query.order = .createdAt
        query.direction = .asc
        func read(_ page: Int) -> Task<ListPage, any Error> {
            var next = query
            next.page = page
            let wanted = next
            return Task { try await store.list(account: account, query: wanted) }
        }
        var written = 0
        var pending = read(1)
        var number = 1
        while true {
            let page = try await pending.value
            let last = page.policies.count < query.perPage || written + page.policies.count >= page.totalCount
            number += 1
            if !last { pending = read(number) }
            try writer.write(page.policies)
            written += page.policies.count
            progress(written, page.totalCount)
            if last { break }
        }
        try writer.finish()
        return written
    }
}
