import Dispatch
import Foundation
import Synchronization

/// Compiles tenant expressions in worker processes (`safelist-regex-worker`), never in the
/// server: Vectorscan's compiler cannot be interrupted, and one hostile pattern can keep it busy
/// for minutes and gigabytes. Each job has a deadline; a worker past it is killed and the job
/// refused. Each worker runs under an address-space limit, so an oversized compilation fails
/// in the worker. Jobs wait for a free worker (`size` at most run at once) in the order they come.
public final class RegexWorkers: Sendable {
    public struct Limits: Sendable {
        /// Worker processes at most, so compilations never take every core from requests.
        public var workers = 2
        /// Address space a worker may use.
        public var memoryBytes = 512 * 1024 * 1024

        public init() {}
    }

    /// Why a job was not done.
    public enum Failure: Error, Sendable, Equatable {
        /// Still compiling when its own time limit passed: the worker was killed.
        case timedOut
        /// The caller's overall deadline passed, waiting for a worker or compiling.
        case deadlinePassed
        /// The worker died (its memory limit, most likely).
        case workerDied(String)
        /// The caller went away (a client that disconnected) or was cancelled.
        case abandoned
        /// The pool is shutting down.
        case shutDown
        /// No worker could be started.
        case unavailable(String)
    }

    public let limits: Limits
    private let executable: String
    private let state = Mutex(State())

    private struct State {
        var idle: [WorkerProcess] = []
        var running = 0
        var waiting: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextWaiter = 0
        var shutDown = false
        var busy: [ObjectIdentifier: WorkerProcess] = [:]
    }

    public init(executable: String, limits: Limits = Limits()) {
        self.executable = executable
        self.limits = limits
        // A worker that dies while we write to it must not take the server with it.
        signal(SIGPIPE, SIG_IGN)
    }

    /// `safelist-regex-worker` beside the running executable (or the test bundle), or where
    /// `SAFELIST_REGEX_WORKER` says.
    public static func locate() -> String? {
        if let path = ProcessInfo.processInfo.environment["SAFELIST_REGEX_WORKER"], !path.isEmpty { return path }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [executable.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("safelist-regex-worker").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Compiles each expression alone; per expression, nil or Vectorscan's reason for refusing it.
    /// The job may compile for `compileLimit` once a worker has it; waiting for a worker and
    /// compiling both end at `deadline`.
    public func check(
        _ expressions: [(expression: String, flags: UInt32)], compileLimit: Duration, deadline: ContinuousClock.Instant,
        isAbandoned: @escaping @Sendable () -> Bool = { false }
    ) async throws(Failure) -> [String?] {
        let reply = try await run(
            WorkerJob(operation: .check, expressions: expressions), compileLimit: compileLimit, deadline: deadline, isAbandoned: isAbandoned)
        guard case .checked(let results) = reply else { throw .workerDied("unexpected reply") }
        return results
    }

    /// Compiles the expressions into one database (ids are positions) and returns it serialized.
    public func build(
        _ expressions: [(expression: String, flags: UInt32)], compileLimit: Duration
    ) async throws(Failure) -> Result<[UInt8], RegexCompileError> {
        let reply = try await run(
            WorkerJob(operation: .build, expressions: expressions), compileLimit: compileLimit, deadline: .now + .seconds(86_400),
            isAbandoned: { false })
        guard case .built(let result) = reply else { throw .workerDied("unexpected reply") }
        return result
    }

    /// The process ids of the workers waiting for a job, for tests.
    public var idleWorkerIDs: [pid_t] { state.withLock { $0.idle.map(\.pid) } }

    /// Kills every worker and fails every job, waiting or running: shutdown does not wait for
    /// compilations.
    public func shutDown() {
        let (waiting, workers) = state.withLock { state in
            state.shutDown = true
            defer { state.waiting = []; state.idle = [] }
            return (state.waiting, state.idle + Array(state.busy.values))
        }
        for waiter in waiting { waiter.continuation.resume(throwing: Failure.shutDown) }
        for worker in workers { worker.kill() }
    }

    private func run(
        _ job: WorkerJob, compileLimit: Duration, deadline: ContinuousClock.Instant, isAbandoned: @escaping @Sendable () -> Bool
    ) async throws(Failure) -> WorkerReply {
        do {
            try await acquire(deadline: deadline)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .abandoned
        }
        let worker: WorkerProcess
        do {
            worker = try takeWorker()
        } catch {
            release(nil, reusable: false)
            throw error
        }
        let stop = Atomic<Bool>(false)
        let ownLimit = ContinuousClock.now + compileLimit
        let jobDeadline = min(ownLimit, deadline)
        let outcome: Result<WorkerReply, Failure> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let result = worker.run(job, deadline: jobDeadline) { stop.load(ordering: .relaxed) || isAbandoned() }
                    continuation.resume(returning: result.mapError { $0 == .timedOut && jobDeadline < ownLimit ? .deadlinePassed : $0 })
                }
            }
        } onCancel: {
            stop.store(true, ordering: .relaxed)
        }
        switch outcome {
        case .success(let reply):
            release(worker, reusable: true)
            return reply
        case .failure(let failure):
            worker.kill()
            release(worker, reusable: false)
            throw state.withLock { $0.shutDown } ? .shutDown : failure
        }
    }

    /// Waits for a free place among `limits.workers`, until the deadline.
    private func acquire(deadline: ContinuousClock.Instant) async throws {
        let id: Int? = try state.withLock { state in
            if state.shutDown { throw Failure.shutDown }
            if state.running < limits.workers {
                state.running += 1
                return nil
            }
            state.nextWaiter += 1
            return state.nextWaiter
        }
        guard let id else { return }
        let timer = Task {
            try await Task.sleep(until: deadline)
            self.dropWaiter(id, with: Failure.deadlinePassed)
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let early: (any Error)? = state.withLock { state in
                    if state.shutDown { return Failure.shutDown }
                    if Task.isCancelled { return Failure.abandoned }
                    state.waiting.append((id, continuation))
                    return nil
                }
                if let early { continuation.resume(throwing: early) }
            }
        } onCancel: {
            dropWaiter(id, with: Failure.abandoned)
        }
    }

    private func dropWaiter(_ id: Int, with error: any Error) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiting.remove(at: index).continuation
        }
        continuation?.resume(throwing: error)
    }

    /// Gives the place back: to the first waiter, or to the pool; a worker that failed a job
    /// was killed and is not kept.
    private func release(_ worker: WorkerProcess?, reusable: Bool) {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if let worker {
                state.busy[ObjectIdentifier(worker)] = nil
                if reusable, !state.shutDown { state.idle.append(worker) }
            }
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }

    private func takeWorker() throws(Failure) -> WorkerProcess {
        if let worker = state.withLock({ state -> WorkerProcess? in
            let worker = state.idle.popLast()
            if let worker { state.busy[ObjectIdentifier(worker)] = worker }
            return worker
        }) {
            return worker
        }
        let worker = try WorkerProcess.spawn(executable, memoryBytes: limits.memoryBytes)
        state.withLock { $0.busy[ObjectIdentifier(worker)] = worker }
        return worker
    }
}
