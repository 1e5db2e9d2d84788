import Foundation
import Synchronization

/// A child process started with `posix_spawn`, its standard output and error read from a
/// socket pair.
///
/// Not Foundation's `Process`: on Linux (swift-corelibs-foundation in Swift 6.3.1) `run()` copies
/// 256 bytes of every `/proc/self/fd` entry's name, past the end of glibc's directory buffer when
/// an entry ends it, and the whole suite died of SIGSEGV in that `memcpy` now and then, in CI
/// too (swift-corelibs-foundation#5472, fixed after 6.3.1). Serializing launches did not help:
/// the read depends only on this process's descriptors.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// The end of the socket pair the child's output is read from.
    let output: Int32
    /// `waitpid`'s status, once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable`. Its output goes to a socket pair made close-on-exec as it is made
    /// (Glibc here has no `pipe2`), so that no other child spawned meanwhile inherits it and
    /// holds it open: the reader sees the end of output when this child exits.
    init(_ executable: String, _ arguments: [String], mergeStandardError: Bool = true) throws {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw ServerError("socketpair failed: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        if mergeStandardError {
            posix_spawn_file_actions_adddup2(&actions, ends[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        Self.closeInheritedDescriptors(&actions)
        // A spawning thread's blocked signals and ignored ones would be the child's: a server
        // that started with SIGTERM blocked would never stop on it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(ends[1])
        guard status == 0 else {
            close(ends[0])
            throw ServerError("cannot run \(executable): \(String(cString: strerror(status)))")
        }
        self.pid = pid
        output = ends[0]
    }

    /// Everything above the standard three closes in the child, as Foundation's `Process` did:
    /// SwiftNIO does not mark its sockets close-on-exec, and a server that inherited a test's
    /// client connection to another server kept it open after the test closed it. Glibc has
    /// `posix_spawn_file_actions_addclosefrom_np` since 2.34; Swift's Glibc module does not
    /// declare it.
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        guard let addCloseFrom else { return }
        _ = addCloseFrom(&actions, 3)
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    deinit {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    var isRunning: Bool {
        reaped.withLock { reaped in
            guard reaped == nil else { return false }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result == -1 && errno == ECHILD) {
                reaped = result == pid ? status : 0
                return false
            }
            return true
        }
    }

    /// The exit code, or the number of the signal that ended the child (as Foundation's
    /// `terminationStatus`); nil while it runs.
    var terminationStatus: Int32? {
        guard !isRunning, let status = reaped.withLock({ $0 }) else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : signal
    }

    /// Signals the child while it runs: once reaped, its pid may be another process's.
    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Blocks this thread (never a cooperative one) until the child exits; returns its status.
    func waitUntilExit() -> Int32 {
        while true {
            if let status = terminationStatus { return status }
            usleep(5000)
        }
    }

    /// Everything the child writes until it exits (and anything it left holding its output does),
    /// read with blocking reads on the calling thread.
    func readOutputToEnd(_ each: (Data) -> Void) {
        while true {
            let chunk = readSome(output)
            if chunk.isEmpty { break }
            each(chunk)
        }
        close(output)
    }
}
