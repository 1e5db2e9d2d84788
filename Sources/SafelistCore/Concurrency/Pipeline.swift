import Dispatch
import Synchronization

/// A sequential job in pieces, each prepared on another core while the caller consumes the one
/// before: a bulk load binds rows into SQLite on one thread, and the values it binds (and the
/// counts it adds) were a quarter of that thread's time, with the second core idle.
public enum Pipeline {
    /// Calls `consume` with `produce(0)`, `produce(1)`, … `produce(count - 1)`, in order, on the
    /// calling thread; at most `ahead` pieces wait produced. Returns (or throws) only once the
    /// producer has stopped.
    public static func run<Piece: Sendable>(
        count: Int, ahead: Int = 2, produce: @escaping @Sendable (Int) -> Piece, consume: (Piece) throws -> Void
    ) throws {
        guard count > 1 else {
            if count == 1 { try consume(produce(0)) }
            return
        }
        let state = Shared<Piece>()
        let produced = DispatchSemaphore(value: 0)
        // Made at zero and raised: libdispatch traps when a semaphore goes away below the value
        // it was made with, as `room` does when the consumer stops early.
        let room = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, ahead) { room.signal() }
        let producer = DispatchGroup()
        DispatchQueue.global().async(group: producer) {
            for index in 0..<count {
                room.wait()
                if state.lock.withLock({ $0.stopped }) { return }
                let piece = produce(index)
                state.lock.withLock { $0.ready[index] = piece }
                produced.signal()
            }
        }
        defer {
            state.lock.withLock { $0.stopped = true }
            room.signal()
            producer.wait()
        }
        for index in 0..<count {
            produced.wait()
            guard let piece = state.lock.withLock({ $0.ready.removeValue(forKey: index) }) else { continue }
            room.signal()
            try consume(piece)
        }
    }

    private final class Shared<Piece: Sendable>: Sendable {
        let lock = Mutex(State())

        struct State {
            var ready: [Int: Piece] = [:]
            var stopped = false
        }
    }
}
