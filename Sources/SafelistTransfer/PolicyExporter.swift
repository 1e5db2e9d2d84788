import SafelistCore

/// Every policy of an account, oldest first, a page of 1,000 at a time: sequential pages seek
/// past the last one (`PageBoundaryCache`), so a million policies are a thousand index walks,
/// not a thousand growing skips.
public enum PolicyExporter {
    public static func export(from store: any PolicyStore, account: AccountID, to writer: PolicyFileWriter) async throws -> Int {
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
