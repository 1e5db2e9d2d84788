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
            try await store.forEachPage(account: account) { ids += $0.map(\.id) }
            guard !ids.isEmpty else { continue }
            _ = try await store.write(account: account, request: BatchRequest(deletes: ids.map { .init(id: $0) }).from(origin))
            deleted += ids.count
        }
        return deleted
    }
}
