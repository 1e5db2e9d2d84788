import SafelistCore
import Synchronization

/// Every policy of an account, oldest first: from one streamed query where the store has one
/// (`PolicyExportSource`: the databases), else a page at a time (`forEachPage`: a server's API).
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
        let written = try await store.forEachPage(account: account) { try writer.write($0) }
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
