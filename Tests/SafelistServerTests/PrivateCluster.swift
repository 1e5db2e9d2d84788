import Foundation

/// A PostgreSQL cluster of a test's own, started and stopped through `scripts/postgres-cluster`,
/// for tests that take the database away from a running server.
struct PrivateCluster {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres-cluster")

    /// PostgreSQL's server binaries are installed (they are in CI).
    static var isAvailable: Bool {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return versions.contains { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/initdb") }
    }

    static let notice =
        "needs SAFELIST_TEST_POSTGRES_URL and PostgreSQL's server binaries (apt-get install postgresql-15), to stop and start a private cluster"

    let directory: String
    let port: Int

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("safelist-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
    }

    var url: String { "postgres://safelist:safelist@127.0.0.1:\(port)/postgres?sslmode=disable" }

    /// Durable settings (fsync on): the crash test relies on the write-ahead log.
    func start() throws { try run(["start", directory, String(port), "on"]) }

    /// `immediate` is a crash: every backend dies at once and the restart replays the WAL.
    func stop(_ mode: String = "immediate") throws { try run(["stop", directory, mode]) }

    /// Spawns and reaps the script directly: Foundation's `Process` on Linux missed this
    /// script's exit (it left a zombie and spun in `waitUntilExit`), perhaps because the
    /// server it starts lives on.
    private func run(_ arguments: [String]) throws {
        let log = directory + "/script.log"
        let argv = [Self.script.path] + arguments
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The PostgreSQL server it starts lives on: it must not hold this process's sockets.
        ChildProcess.closeInheritedDescriptors(&actions)
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        guard posix_spawn(&pid, Self.script.path, &actions, nil, cArguments, environ) == 0 else {
            throw ServerError("could not run \(Self.script.path)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw ServerError("postgres-cluster \(arguments.joined(separator: " ")) failed (\(status)): \(output)")
        }
    }

    /// A loopback port nobody listens on now: bind to port 0 and read what the kernel chose.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ServerError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
