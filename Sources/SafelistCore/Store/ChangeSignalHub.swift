import Synchronization

/// Fans change signals out to every subscriber. A subscriber that falls behind keeps only the
/// newest signals: they are hints, and a follower always reads the feed for the facts.
public final class ChangeSignalHub: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<ChangeSignal>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    public func subscribe() -> AsyncStream<ChangeSignal> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: ChangeSignal.self, bufferingPolicy: .bufferingNewest(1024))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    public func publish(_ signal: ChangeSignal) {
        let targets = subscribers.withLock { Array($0.values) }
        for continuation in targets { continuation.yield(signal) }
    }

    public func finish() {
        let targets = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in targets { continuation.finish() }
    }
}
