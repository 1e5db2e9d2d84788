extension PolicyStore {
    /// Every policy of the account, oldest first, a page of `ListQuery.maxPerPage` at a time,
    /// through the store's list: what a reset, an export and a remote import's conflict check
    /// need from a store without a streamed read (a server's API). Sequential pages seek past
    /// the last one (`PageBoundaryCache`), so a million policies are a thousand index walks,
    /// not a thousand growing skips. The number of policies read.
    @discardableResult
    public func forEachPage(account: AccountID, _ body: ([AllowPolicy]) async throws -> Void) async throws -> Int {
        var query = ListQuery()
        query.perPage = ListQuery.maxPerPage
        query.order = .createdAt
        query.direction = .asc
        var read = 0
        while true {
            let page = try await list(account: account, query: query)
            try await body(page.policies)
            read += page.policies.count
            if page.policies.count < query.perPage || read >= page.totalCount { return read }
            query.page += 1
        }
    }
}
