/// Where policies live. Implementations: SQLite (embedded default) and, later, PostgreSQL.
/// Stores know SQL and nothing of the rules: every write goes through `WritePlanner`.
public protocol PolicyStore: Sendable {
    /// One page in the query's total order, with the number of policies matching its filters.
    func list(account: AccountID, query: ListQuery) async throws -> ListPage

    /// The policy with this id in this account; a policy of another account is nil.
    func policy(account: AccountID, id: PolicyID) async throws -> AllowPolicy?

    /// Applies every change of the request in one transaction, or none of them.
    func write(account: AccountID, request: BatchRequest) async throws -> BatchResult
}

extension PolicyStore {
    public func create(account: AccountID, fields: PolicyFields, origin: ChangeOrigin = .system) async throws -> AllowPolicy {
        try await single(write(account: account, request: .create(fields).from(origin)).posts)
    }

    public func replace(account: AccountID, id: PolicyID, fields: PolicyFields, origin: ChangeOrigin = .system) async throws -> AllowPolicy {
        try await single(write(account: account, request: .replace(id, with: fields).from(origin)).puts)
    }

    public func edit(account: AccountID, id: PolicyID, edit: PolicyEdit, origin: ChangeOrigin = .system) async throws -> AllowPolicy {
        try await single(write(account: account, request: .edit(id, edit).from(origin)).patches)
    }

    public func delete(account: AccountID, id: PolicyID, origin: ChangeOrigin = .system) async throws {
        _ = try await write(account: account, request: .delete(id).from(origin))
    }

    private func single(_ policies: [AllowPolicy]) throws -> AllowPolicy {
        guard let policy = policies.first else {
            throw SafelistError.internalError("The store returned no policy")
        }
        return policy
    }
}

/// A store that adds something to another's writes (checks, the engine's refresh) and reads
/// straight through it.
public protocol WrappingPolicyStore: PolicyStore {
    var store: any PolicyStore { get }
}

extension WrappingPolicyStore {
    public func list(account: AccountID, query: ListQuery) async throws -> ListPage {
        try await store.list(account: account, query: query)
    }

    public func policy(account: AccountID, id: PolicyID) async throws -> AllowPolicy? {
        try await store.policy(account: account, id: id)
    }
}
