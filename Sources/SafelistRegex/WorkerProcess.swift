import Foundation
import Synchronization

/// One `safelist-regex-worker` process and its two channels (socket pairs, used as pipes). A
/// job runs on one thread at a time (the pool hands a worker to one job); `kill` may come from
/// any thread, and only sends the signal: the job's reads then end, and the channels close
/// when the last owner lets go.
final class WorkerProcess: Sendable {
    let pid: pid_t
    private let input: Int32
    private let output: Int32
    private let killed = Atomic<Bool>(false)
    /// Once reaped, the pid may belong to another process: never signalled or waited for again.
    private let reaped = Atomic<Bool>(false)

    private init(pid: pid_t, input: Int32, output: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
    }

    static func spawn(_ executable: String, memoryBytes: Int) throws(RegexWorkers.Failure) -> WorkerProcess {
        // Only this worker may hold its channels: another worker inheriting them would keep
        // them open after this one dies, and its reader would not see the end. So they are
        // close-on-exec from the moment they exist: marked after `pipe()`, a worker spawned
        // by another thread in between inherited them. (Socket pairs: Glibc here has no
        // `pipe2`.)
        var toWorker: [Int32] = [0, 0], fromWorker: [Int32] = [0, 0]
        let type = Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &toWorker) == 0 else { throw .unavailable("socketpair: \(String(cString: strerror(errno)))") }
        guard socketpair(AF_UNIX, type, 0, &fromWorker) == 0 else {
            close(toWorker[0]); close(toWorker[1])
            throw .unavailable("socketpair: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toWorker[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromWorker[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [executable, "--memory-mb", String(max(1, memoryBytes / (1024 * 1024)))]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, &argv, environ)
        close(toWorker[0])
        close(fromWorker[1])
        guard status == 0 else {
            close(toWorker[1]); close(fromWorker[0])
            throw .unavailable("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return WorkerProcess(pid: pid, input: toWorker[1], output: fromWorker[0])
    }

    deinit {
        kill()
        if !reaped.exchange(true, ordering: .acquiring) {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(input)
        close(output)
    }

    func kill() {
        guard !killed.exchange(true, ordering: .relaxed), !reaped.load(ordering: .acquiring) else { return }
        Foundation.kill(pid, SIGKILL)
    }

    /// Sends the job and reads the reply, checking `shouldStop` and the deadline every 50 ms
    /// while it waits. Blocking: runs on a Dispatch thread, never on Swift's cooperative pool.
    func run(_ job: WorkerJob, deadline: ContinuousClock.Instant, shouldStop: () -> Bool) -> Result<WorkerReply, RegexWorkers.Failure> {
        var reader = ReplyReader(descriptor: output)
        guard write(job.encoded()) else { return .failure(.workerDied(exitDescription())) }
        func waitFor(_ count: Int) -> RegexWorkers.Failure? {
            while reader.buffered < count {
                if shouldStop() { return .abandoned }
                if ContinuousClock.now >= deadline { return .timedOut }
                switch reader.fill(timeoutMilliseconds: 50) {
                case .data, .timeout: continue
                case .closed: return .workerDied(exitDescription())
                }
            }
            return nil
        }
        func u32() -> Result<UInt32, RegexWorkers.Failure> {
            if let failure = waitFor(4) { return .failure(failure) }
            return .success(reader.takeU32())
        }
        func text() -> Result<[UInt8], RegexWorkers.Failure> {
            u32().flatMap { length in
                if let failure = waitFor(Int(length)) { return .failure(failure) }
                return .success(reader.take(Int(length)))
            }
        }
        switch job.operation {
        case .check:
            var results: [String?] = []
            for _ in job.expressions {
                switch u32() {
                case .failure(let failure): return .failure(failure)
                case .success(0): results.append(nil)
                case .success:
                    switch text() {
                    case .failure(let failure): return .failure(failure)
                    case .success(let message): results.append(String(decoding: message, as: UTF8.self))
                    }
                }
            }
            return .success(.checked(results))
        case .build:
            switch u32() {
            case .failure(let failure): return .failure(failure)
            case .success(0): return text().map { .built(.success($0)) }
            case .success:
                return u32().flatMap { index in
                    text().map { message in
                        .built(
                            .failure(
                                RegexCompileError(
                                    message: String(decoding: message, as: UTF8.self), expressionIndex: index == .max ? -1 : Int(index))))
                    }
                }
            }
        }
    }

    private func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                buffer.baseAddress.map { Foundation.write(input, $0 + offset, buffer.count - offset) } ?? 0
            }
            if written <= 0 {
                if written < 0, errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// How the process ended, once it has: a worker killed by the kernel for memory, or one
    /// whose allocation failed and aborted, says so.
    private func exitDescription() -> String {
        var status: Int32 = 0
        guard !reaped.load(ordering: .acquiring), waitpid(pid, &status, WNOHANG) == pid else { return "the compiler process stopped answering" }
        killed.store(true, ordering: .relaxed)
        reaped.store(true, ordering: .releasing)
        let signal = status & 0x7F
        return signal != 0
            ? "the compiler process died (signal \(signal)); most likely it passed its memory limit"
            : "the compiler process exited (status \((status >> 8) & 0xFF))"
    }
}

/// What a job asks of a worker.
struct WorkerJob: Sendable {
    enum Operation: UInt32, Sendable {
        case check = 1
        case build = 2
    }

    let operation: Operation
    let expressions: [(expression: String, flags: UInt32)]

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        func append(_ value: UInt32) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        append(operation.rawValue)
        append(UInt32(expressions.count))
        for (expression, flags) in expressions {
            append(flags)
            append(UInt32(expression.utf8.count))
            bytes.append(contentsOf: expression.utf8)
        }
        return bytes
    }
}

enum WorkerReply: Sendable {
    case checked([String?])
    case built(Result<[UInt8], RegexCompileError>)
}

/// Bytes read from a worker, waited for with `poll`.
private struct ReplyReader {
    let descriptor: Int32
    private var bytes: [UInt8] = []
    private var start = 0

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    var buffered: Int { bytes.count - start }

    enum Fill { case data, timeout, closed }

    mutating func fill(timeoutMilliseconds: Int32) -> Fill {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&request, 1, timeoutMilliseconds)
        if ready == 0 || (ready < 0 && errno == EINTR) { return .timeout }
        guard ready > 0 else { return .closed }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return .closed }
        if start > 0, start == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            start = 0
        }
        bytes.append(contentsOf: chunk[..<count])
        return .data
    }

    mutating func takeU32() -> UInt32 {
        let value = bytes[start..<start + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        start += 4
        return value
    }

    mutating func take(_ count: Int) -> [UInt8] {
        defer { start += count }
        return Array(bytes[start..<start + count])
    }
}
