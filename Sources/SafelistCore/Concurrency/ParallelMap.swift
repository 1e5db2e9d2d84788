import Dispatch

/// Runs independent CPU-bound jobs (shard compiles, an import file's chunks) on all cores,
/// outside Swift's cooperative pool so that evaluations and requests keep their threads.
public enum ParallelMap {
    public static func run<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        guard items.count > 1 else { return items.map(transform) }
        let results = UnsafeResults<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            results.set(index, transform(items[index]))
        }
        return results.values()
    }

    /// Each slot is written by exactly one iteration and read after all of them finished.
    private final class UnsafeResults<R>: @unchecked Sendable {
        private let storage: UnsafeMutableBufferPointer<R?>
        init(count: Int) {
            storage = .allocate(capacity: count)
            storage.initialize(repeating: nil)
        }
        deinit {
            _ = storage.deinitialize()
            storage.deallocate()
        }
        func set(_ index: Int, _ value: R) { storage[index] = value }
        func values() -> [R] { storage.compactMap { $0 } }
    }
}
