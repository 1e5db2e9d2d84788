import Synchronization

/// Runs work with a deadline: the caller has its answer in time even when the work does not
/// end (a store that hangs): the work is then cancelled and its result dropped. A task group
/// would not do: it waits for all its children before it returns.
enum Deadline {
    enum Outcome<T: Sendable>: Sendable {
        case finished(T)
        case failed(any Error)
        case timedOut
    }

    static func run<T: Sendable>(within limit: Duration, _ work: @escaping @Sendable () async throws -> T) async -> Outcome<T> {
        let race = Race<T>()
        return await withCheckedContinuation { continuation in
            race.start(continuation)
            let timer = Task {
                try? await Task.sleep(for: limit)
                if !Task.isCancelled { race.end(.timedOut) }
            }
            race.set(timer: timer)
            let worker = Task {
                do {
                    race.end(.finished(try await work()))
                } catch {
                    race.end(.failed(error))
                }
            }
            race.set(worker: worker)
        }
    }

    /// The first outcome resumes the caller and cancels the other side; later ones are dropped.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Outcome<T>, Never>?
            var timer: Task<Void, Never>?
            var worker: Task<Void, Never>?
            var ended = false
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<Outcome<T>, Never>) {
            state.withLock { $0.continuation = continuation }
        }

        func set(timer: Task<Void, Never>) {
            if state.withLock({ state in
                state.timer = timer
                return state.ended
            }) {
                timer.cancel()
            }
        }

        func set(worker: Task<Void, Never>) {
            if state.withLock({ state in
                state.worker = worker
                return state.ended
            }) {
                worker.cancel()
            }
        }

        func end(_ outcome: Outcome<T>) {
            let ended = state.withLock { state -> (CheckedContinuation<Outcome<T>, Never>?, [Task<Void, Never>]) in
                guard !state.ended else { return (nil, []) }
                state.ended = true
                defer { state.continuation = nil }
                return (state.continuation, [state.timer, state.worker].compactMap { $0 })
            }
            guard let continuation = ended.0 else { return }
            // Cancelling the side that finished is harmless; the other one stops.
            for task in ended.1 { task.cancel() }
            continuation.resume(returning: outcome)
        }
    }
}
