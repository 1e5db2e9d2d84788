import Foundation
import SafelistCore
import SafelistTesting
import Testing

@testable import SafelistSQLite

/// The writer gathers a commit's WAL writes and writes them at the commit's sync
/// (`buffered_wal.c`): what it acknowledged must be in the files by then, as another
/// connection and a crash recovery see them.
@Suite("SQLite: a commit's WAL writes gathered into one")
struct BufferedWALTests {
    /// Only a writer that syncs at every commit gathers: under NORMAL a commit publishes its
    /// frames without a sync, and nothing would write them out before.
    @Test func onlyAWriterUnderFullGathers() async throws {
        let directory = try temporaryDirectory("safelist-wal")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await SQLiteStore(path: directory.appendingPathComponent("full.sqlite").path).writerBuffersWAL())
        var options = SQLiteStore.Options()
        options.synchronous = .normal
        let normal = try SQLiteStore(path: directory.appendingPathComponent("normal.sqlite").path, options: options)
        #expect(try await !normal.writerBuffersWAL())
    }

    /// Groups of concurrent creates, and a batch whose commit is one run of WAL frames far
    /// longer than one write of SQLite's own may be. After each acknowledgement another
    /// connection (as the CLI opens one) reads the write; at the end, the files copied as they
    /// are, without a checkpoint, recover every write, as they would after a crash.
    @Test func acknowledgedWritesAreInTheFiles() async throws {
        let directory = try temporaryDirectory("safelist-wal")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        let store = try SQLiteStore(path: path)
        let other = try SQLiteStore(path: path)
        #expect(try await store.writerBuffersWAL())

        let batch = BatchRequest(
            posts: try (0..<600).map { .init(fields: try fields("batch\($0)@example.com", comments: String(repeating: "c", count: 200))) })
        let written = try await store.write(account: account, request: batch)
        #expect(written.posts.count == 600)
        #expect(try await other.list(account: account, query: ListQuery()).totalCount == 600)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<40 {
                        let created = try await store.create(account: account, fields: fields("w\(writer)-\(index)@example.com"))
                        #expect(try await other.policy(account: account, id: created.id) == created)
                    }
                }
            }
            try await group.waitForAll()
        }

        let copy = try temporaryDirectory("safelist-wal")
        defer { try? FileManager.default.removeItem(at: copy) }
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: path + suffix, toPath: copy.appendingPathComponent("s.sqlite").path + suffix)
        }
        let recovered = try SQLiteStore(path: copy.appendingPathComponent("s.sqlite").path)
        #expect(try await recovered.list(account: account, query: ListQuery()).totalCount == 600 + 8 * 40)
        #expect(try await recovered.integrityCheck() == ["ok"])
    }
}
