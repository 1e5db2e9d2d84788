import CVectorscan
import Synchronization

/// Vectorscan needs a scratch region per concurrent scan, sized for every database it will scan.
/// A pool belongs to one immutable set of databases: scans borrow a scratch and give it back, so
/// evaluations on many threads never share one, and a new set of databases gets a new pool.
public final class ScratchPool: @unchecked Sendable {
    private let prototype: OpaquePointer?
    private let free = Mutex<[ScratchHandle]>([])
    /// Keeps the databases alive as long as scratches sized for them exist.
    private let databases: [RegexDatabase]

    public init(databases: [RegexDatabase]) {
        self.databases = databases
        var scratch: OpaquePointer?
        for database in databases {
            // Only fails on allocation failure; the pool then scans nothing rather than crash.
            if hs_alloc_scratch(database.handle, &scratch) != HS_SUCCESS { scratch = nil; break }
        }
        prototype = scratch
    }

    deinit {
        for scratch in free.withLock({ $0 }) { hs_free_scratch(scratch.pointer) }
        if let prototype { hs_free_scratch(prototype) }
    }

    public var isEmpty: Bool { prototype == nil }

    /// Runs `body` with a scratch no other thread holds meanwhile, or nil when the pool has no databases.
    @inline(__always)
    public func withScratch<T>(_ body: (OpaquePointer?) -> T) -> T {
        guard let prototype else { return body(nil) }
        var scratch = free.withLock { $0.popLast()?.pointer }
        if scratch == nil {
            var clone: OpaquePointer?
            if hs_clone_scratch(prototype, &clone) == HS_SUCCESS { scratch = clone }
        }
        guard let scratch else { return body(nil) }
        defer { free.withLock { $0.append(ScratchHandle(pointer: scratch)) } }
        return body(scratch)
    }
}

/// A scratch is used by one thread at a time; the pool's lock hands it over.
private struct ScratchHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
