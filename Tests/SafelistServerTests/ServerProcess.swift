import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A `safelist serve` child process on a free loopback port, with its standard output captured.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let database: String
    private let output = Pipe()
    private let lock = NSLock()
    private var captured = ""
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
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw ServerError("no safelist executable at \(Self.binary.path); run `swift build` first")
        }
        process.executableURL = Self.binary
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.captured += String(decoding: data, as: UTF8.self) }
        }
    }

    var stdout: String { lock.withLock { captured } }

    /// Starts the server and waits for its "listening" line.
    func start(within seconds: TimeInterval = 30) async throws {
        if !process.isRunning { try launch(process) }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let match = stdout.firstMatch(of: #/Safelist listening on http://127\.0\.0\.1:(\d+)/#), let port = Int(match.1) {
                self.port = port
                return
            }
            guard process.isRunning else { throw ServerError("server exited early: \(stdout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServerError("server did not start within \(Int(seconds)) s: \(stdout)")
    }

    /// Starts the server and waits for its JSON start line (`--start-line json`), which it returns.
    func startReadingJSON(within seconds: TimeInterval = 30) async throws -> [String: Any] {
        if !process.isRunning { try launch(process) }
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
            guard process.isRunning else { throw ServerError("server exited early: \(stdout)") }
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
            guard Date() < deadline, process.isRunning || !stdout.isEmpty else {
                throw ServerError("no '\(text)' within \(Int(seconds)) s: \(stdout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    func waitForExit(timeout: TimeInterval = 30) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else { throw ServerError("server did not exit") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// `/metrics`, as a loopback client without credentials reads it.
    func metrics() async throws -> String {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics") else { throw ServerError("bad port") }
        let (data, response) = try await URLSession.shared.data(from: url)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw ServerError("/metrics answered \(response)") }
        return String(decoding: data, as: UTF8.self)
    }

    func request(_ method: String, _ path: String, token: String, json: Any? = nil) async throws -> (Int, [String: Any]) {
        let reply = try await send(method, path, token: token, json: json)
        return (reply.status, reply.json)
    }

    func send(_ method: String, _ path: String, token: String, json: Any? = nil) async throws -> Reply {
        guard let url = URL(string: "http://127.0.0.1:\(port)/client/v4\(path)") else { throw ServerError("bad path \(path)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return Reply(status: http?.statusCode ?? 0, data: data, requestID: http?.value(forHTTPHeaderField: "X-Request-ID"))
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        output.fileHandleForReading.readabilityHandler = nil
    }
}

/// Runs a `safelist` subcommand against a database to its end; returns its status and its
/// standard output and error together.
/// A fresh directory for one test's database files.
func temporaryDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

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
    let process = Process()
    process.executableURL = ServerProcess.binary
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try launch(process)
    let deadline = DispatchWorkItem { process.terminate() }
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: deadline)
    var data = Data()
    while true {
        let chunk = readSome(pipe.fileHandleForReading.fileDescriptor)
        if chunk.isEmpty { break }
        data += chunk
    }
    process.waitUntilExit()
    deadline.cancel()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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
/// the signals of other test processes starting and ending caused in CI. (The readability
/// handler above keeps Foundation's `availableData`: it reads only when the pipe has data.)
func readSome(_ descriptor: Int32) -> Data {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count >= 0 { return Data(buffer[0..<count]) }
        if errno != EINTR { return Data() }
    }
}

/// Starts `process`, one at a time across the test process: Foundation's `Process.run()` on
/// Linux crashed in a `memcpy` inside it while other tests started processes at the same time
/// (a CI run, in a test that had passed every run before).
func launch(_ process: Process) throws {
    try launching.withLock { _ in try process.run() }
}

private let launching = Mutex(())
