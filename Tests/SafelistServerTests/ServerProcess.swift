import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A `safelist serve` child process on a free loopback port, with its standard output captured.
///
/// Nothing here registers a descriptor with libdispatch: its epoll bookkeeping on Linux frees a
/// source's note while the manager thread still reaches it when many are set up and torn down
/// at once (swift-corelibs-libdispatch#949), which is what `FileHandle.readabilityHandler` and
/// `URLSession` do. Output is read by a thread of its own with blocking reads, and requests go
/// through AsyncHTTPClient (NIO). The child is a `ChildProcess`, not a Foundation `Process`.
final class ServerProcess: @unchecked Sendable {
    let database: String
    private let arguments: [String]
    private let child = Mutex<ChildProcess?>(nil)
    private let captured = CapturedOutput()
    private(set) var port = 0

    /// The executable `swift build` put next to the test bundle, or `SAFELIST_BINARY`.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SAFELIST_BINARY"] { return URL(fileURLWithPath: path) }
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])]
            .map { $0.deletingLastPathComponent().appendingPathComponent("safelist") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    convenience init(database: String, extraArguments: [String] = []) throws {
        try self.init(database: database, arguments: ["serve", "--port", "0", "--database", database, "--log-level", "warning"] + extraArguments)
    }

    /// `safelist` with exactly these arguments (`database` is only what the test calls it).
    init(database: String, arguments: [String]) throws {
        self.database = database
        self.arguments = arguments
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw ServerError("no safelist executable at \(Self.binary.path); run `swift build` first")
        }
    }

    var stdout: String { captured.text }

    var isRunning: Bool { child.withLock { $0 }?.isRunning ?? false }

    /// The reading thread holds the child until its output ends: killed here, it ends.
    deinit {
        child.withLock { $0 }?.signal(SIGKILL)
    }

    /// Runs the executable (standard error discarded) and starts reading its output, once.
    func launch() throws {
        let started = try child.withLock { child -> ChildProcess? in
            guard child == nil else { return nil }
            child = try ChildProcess(Self.binary.path, arguments, mergeStandardError: false)
            return child
        }
        if let started { captured.read(from: started) }
    }

    /// Starts the server and waits for its "listening" line.
    func start(within seconds: TimeInterval = 30) async throws {
        try launch()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let match = stdout.firstMatch(of: #/Safelist listening on http://127\.0\.0\.1:(\d+)/#), let port = Int(match.1) {
                self.port = port
                return
            }
            guard isRunning else { throw ServerError("server exited early: \(stdout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServerError("server did not start within \(Int(seconds)) s: \(stdout)")
    }

    /// Starts the server and waits for its JSON start line (`--start-line json`), which it returns.
    func startReadingJSON(within seconds: TimeInterval = 30) async throws -> [String: Any] {
        try launch()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            for line in stdout.split(separator: "\n") where line.hasPrefix("{") {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["event"] as? String == "listening", let port = object["port"] as? Int
                {
                    self.port = port
                    return object
                }
            }
            guard isRunning else { throw ServerError("server exited early: \(stdout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServerError("no JSON start line within \(Int(seconds)) s: \(stdout)")
    }

    /// The secret the first start printed, if it printed one.
    var bootstrapToken: String? {
        stdout.firstMatch(of: #/keeps only its hash:\s+([A-Za-z0-9_-]{40})/#).map { String($0.1) }
    }

    /// Waits until standard output contains `text`.
    func waitForOutput(_ text: String, within seconds: TimeInterval = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !stdout.contains(text) {
            guard Date() < deadline, isRunning || !stdout.isEmpty else {
                throw ServerError("no '\(text)' within \(Int(seconds)) s: \(stdout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func signal(_ signal: Int32) {
        child.withLock { $0 }?.signal(signal)
    }

    func waitForExit(timeout: TimeInterval = 30) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = child.withLock({ $0 })?.terminationStatus { return status }
            guard Date() < deadline else { throw ServerError("server did not exit") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// `/metrics`, as a loopback client without credentials reads it.
    func metrics() async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else { throw ServerError("/metrics answered \(response.status)") }
        return String(buffer: body)
    }

    func request(_ method: String, _ path: String, token: String, json: Any? = nil) async throws -> (Int, [String: Any]) {
        let reply = try await send(method, path, token: token, json: json)
        return (reply.status, reply.json)
    }

    func send(_ method: String, _ path: String, token: String, json: Any? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/client/v4\(path)")
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let json {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), data: Data(body.readableBytesView), requestID: response.headers.first(name: "X-Request-ID"))
    }

}

/// What a child wrote to its standard output, read to its end by a thread of its own.
private final class CapturedOutput: Sendable {
    private let captured = Mutex("")

    var text: String { captured.withLock { $0 } }

    func read(from child: ChildProcess) {
        Thread.detachNewThread {
            child.readOutputToEnd { chunk in self.captured.withLock { $0 += String(decoding: chunk, as: UTF8.self) } }
        }
    }
}

/// Runs a `safelist` subcommand against a database to its end; returns its status and its
/// standard output and error together.
func runCommand(_ arguments: [String], database: String? = nil, within seconds: TimeInterval = 60) async throws -> (
    status: Int32, output: String
) {
    // Waiting on a process blocks a thread: not one of Swift's cooperative threads, which every
    // test in this process shares (two on this machine), or the others' timings stretch.
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runBlocking(arguments + (database.map { ["--database", $0] } ?? []), within: seconds) })
        }
    }
}

private func runBlocking(_ arguments: [String], within seconds: TimeInterval) throws -> (status: Int32, output: String) {
    let child = try ChildProcess(ServerProcess.binary.path, arguments)
    let deadline = DispatchWorkItem { child.signal(SIGTERM) }
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: deadline)
    var data = Data()
    child.readOutputToEnd { data += $0 }
    let status = child.waitUntilExit()
    deadline.cancel()
    return (status, String(decoding: data, as: UTF8.self))
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct Reply: Sendable {
    let status: Int
    let data: Data
    var requestID: String? = nil
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
}

/// One `read(2)` of what a pipe holds, empty at its end, retried when a signal interrupts it:
/// Foundation's `readDataToEndOfFile()` stops the process (a `try!` inside) on EINTR, which
/// the signals of other test processes starting and ending caused in CI.
func readSome(_ descriptor: Int32) -> Data {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count >= 0 { return Data(buffer[0..<count]) }
        if errno != EINTR { return Data() }
    }
}
