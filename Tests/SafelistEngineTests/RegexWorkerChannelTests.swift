import Foundation
import SafelistRegex
import Testing

/// A regex worker holds its own two channels and no other socket or pipe of the process that
/// spawned it: a worker holding another's channel kept it open after that one died (the job
/// reading from it waited out its deadline instead of hearing that the compiler died), and one
/// holding a client's connection kept it open after the server closed it.
@Suite("Regex workers: each holds only its own channels")
struct RegexWorkerChannelTests {
    /// Workers spawned at once, from several threads, by fresh pools, while the rest of the
    /// suite holds sockets: the moment between making a channel and marking it close-on-exec
    /// is when another spawn inherited it, and SwiftNIO's sockets are never so marked (nor are
    /// those `swift test` leaks into this process).
    @Test(.enabled(if: RegexWorkers.locate() != nil, "needs safelist-regex-worker beside the tests"))
    func workersSpawnedTogetherInheritNoChannel() async throws {
        let executable = try #require(RegexWorkers.locate())
        var limits = RegexWorkers.Limits()
        limits.workers = 8
        for _ in 0..<4 {
            let workers = RegexWorkers(executable: executable, limits: limits)
            try await withThrowingTaskGroup(of: [String?].self) { group in
                for index in 0..<limits.workers {
                    group.addTask {
                        try await workers.check([("a\(index)+b", 0)], compileLimit: .seconds(30), deadline: .now + .seconds(120))
                    }
                }
                for try await results in group { #expect(results == [nil]) }
            }
            // Idle now, and alive: what each holds it kept from its start. Only this pool's:
            // another test's worker caught between its exec and its first line still holds
            // this process's descriptors, as every new worker does until it closes them.
            let children = workers.idleWorkerIDs
            #expect(!children.isEmpty && Set(children).isSubset(of: Self.regexWorkerChildren()))
            for pid in children {
                let extra = Self.channels(of: pid)
                #expect(extra.isEmpty, "worker \(pid) holds \(extra)")
            }
            workers.shutDown()
        }
    }

    /// This process's children that run `safelist-regex-worker` (any pool's, in any test).
    static func regexWorkerChildren() -> [pid_t] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { return nil }
            // "pid (comm) state ppid ...": comm may hold spaces, and is cut to 15 bytes.
            let comm = stat[stat.index(after: open)..<close]
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard comm.hasPrefix("safelist-regex"), fields.count > 1, pid_t(fields[1]) == me else { return nil }
            return pid
        }
    }

    /// The sockets and pipes `pid` holds above descriptors 0, 1 and 2, as "descriptor -> target".
    static func channels(of pid: pid_t) -> [String] {
        let directory = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.compactMap { entry -> String? in
            guard let descriptor = Int(entry), descriptor > 2,
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(entry)"),
                target.hasPrefix("socket:") || target.hasPrefix("pipe:")
            else { return nil }
            return "\(descriptor) -> \(target)"
        }
    }
}
