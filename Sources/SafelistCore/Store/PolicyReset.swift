/// Empties accounts of their policies, for test suites that use Safelist as a stand-in and
/// reset it between tests. Each account in one write: the engine sees one change, and the audit
/// trail a delete per policy.
public struct PolicyReset: Sendable {
    let store: any PolicyStore
    let directory: any AccountDirectory

    public init(store: any PolicyStore, directory: any AccountDirectory) {
        self.store = store
        self.directory = directory
    }

    /// `accounts` nil empties every account the store has written; the number of policies deleted.
    public func reset(accounts: [AccountID]?, origin: ChangeOrigin) async throws -> Int {
        var deleted = 0
        let targets: [AccountID]
        if let accounts { targets = accounts } else { targets = try await directory.writtenAccounts() }
        for account in targets {
            var ids: [PolicyID] = []
            var query = ListQuery()
            query.perPage = ListQuery.maxPerPage
            while true {
                let page = try await store.list(account: account, query: query)
                ids += page.policies.map(\.id)
                if page.policies.count < query.perPage { break }
                query.page += 1
            }
            guard !ids.isEmpty else { continue }
            _ = try await store.write(account: account, request: BatchRequest(deletes: ids.map { .init(id: $0) }).from(origin))
            deleted += ids.count
        }
        return deleted
    }
}
