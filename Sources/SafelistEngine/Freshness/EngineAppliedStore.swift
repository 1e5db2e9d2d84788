import SafelistCore

/// A policy store whose writes the engine has applied by the time they return: the one place a
/// write on this node reaches the engine, so that an evaluation that follows an acknowledged
/// write sees it (the spec's consistency rule). Reads pass straight through.
public struct EngineAppliedStore: WrappingPolicyStore {
    public let store: any PolicyStore
    public let engine: PolicyEngine

    public init(store: any PolicyStore, engine: PolicyEngine) {
        self.store = store
        self.engine = engine
    }

    /// The write is committed whatever happens after it; if the engine cannot read it back now,
    /// it withdraws the account's snapshot and the next evaluation catches up (or fails) rather
    /// than answer from stale data.
    public func write(account: AccountID, request: BatchRequest) async throws -> BatchResult {
        let result = try await store.write(account: account, request: request)
        let committed = result.generation.map { generation in
            PolicyChanges(generation: generation, upserted: result.patches + result.puts + result.posts, deleted: result.deletes)
        }
        try? await engine.refresh(account: account, through: result.generation, committed: committed)
        return result
    }
}
