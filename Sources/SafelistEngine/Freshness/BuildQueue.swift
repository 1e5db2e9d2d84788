import Dispatch

/// Large builds (loading an account, merging a delta) take seconds of CPU at a million policies;
/// they run here rather than on Swift's cooperative pool, whose few threads serve requests.
enum BuildQueue {
    private static let queue = DispatchQueue(label: "safelist.engine.build", qos: .utility, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
