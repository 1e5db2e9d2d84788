/// Loads many new policies at once (imports, seeds, benchmarks): one transaction, one
/// generation per account, each policy recorded as a create by `origin` in the audit trail.
public protocol PolicyBulkLoader: Sendable {
    func insert(_ policies: [AllowPolicy], origin: ChangeOrigin) async throws
}

extension PolicyBulkLoader {
    public func insert(_ policies: [AllowPolicy]) async throws { try await insert(policies, origin: .system) }
}
