/// Every policy of an account from one snapshot, oldest first (the list's `created_at`, `id`
/// order), handed over in batches as one query reads them: an export of a million policies is
/// one statement streamed, not a thousand pages each planned, counted and fetched.
public protocol PolicyExportSource: Sendable {
    func forEachPolicy(account: AccountID, batch: Int, _ body: @escaping @Sendable ([AllowPolicy]) throws -> Void) async throws
}
