import Foundation
import GRDBSQLite
import SafelistTesting
import Testing

@testable import SafelistSQLite

/// SQLite allocates through a cache of freed blocks per thread and size class
/// (`thread_cached_malloc.c`), installed before the first store opens.
@Suite("SQLite: its allocator")
struct SQLiteAllocatorTests {
    /// A store's opening installs the allocator: SQLite then answers every request with its
    /// size class, and past the largest class with the size asked (SQLite's own allocator
    /// rounds to 8 bytes).
    @Test func storesAllocateInSizeClasses() throws {
        let directory = try temporaryDirectory("safelist-allocator")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try SQLiteStore(path: directory.appendingPathComponent("a.sqlite").path)
        #expect(SQLiteProcessSettings.allocatorInstalled)
        let sizes = [1, 16, 17, 100, 200, 1000, 1024, 1025, 70_000].map { SQLiteProcessSettings.allocatedSize(Int32($0)) }
        #expect(sizes == [16, 16, 32, 128, 256, 1024, 1024, 1025, 70_000])
    }

    /// Blocks made on one thread and freed on another (a statement finalized elsewhere) go to
    /// the freeing thread's cache and come out whole; a block grown or shrunk by `realloc`
    /// keeps what it held.
    @Test func blocksCrossThreadsAndKeepTheirBytes() async throws {
        SQLiteProcessSettings.settle()
        let rounds = 200, perRound = 64
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for round in 0..<rounds {
                        // Made here, checked and freed by a detached task on whatever thread.
                        var blocks: [(address: UInt, size: Int, fill: UInt8)] = []
                        for index in 0..<perRound {
                            let size = 1 + (index * 37 + round * 11 + worker) % 1500
                            let fill = UInt8(truncatingIfNeeded: index &+ round &+ worker)
                            guard var block = sqlite3_malloc(Int32(size)) else { throw AllocatorFailure.outOfMemory }
                            memset(block, Int32(fill), size)
                            let grown = size * 3
                            guard let moved = sqlite3_realloc(block, Int32(grown)) else { throw AllocatorFailure.outOfMemory }
                            block = moved
                            #expect(Self.filled(block, size, fill))
                            memset(block, Int32(fill), grown)
                            guard let shrunk = sqlite3_realloc(block, Int32(size)) else { throw AllocatorFailure.outOfMemory }
                            #expect(Self.filled(shrunk, size, fill))
                            #expect(Int(sqlite3_msize(shrunk)) >= size)
                            blocks.append((UInt(bitPattern: shrunk), size, fill))
                        }
                        let handed = blocks
                        try await Task.detached {
                            for block in handed {
                                guard let pointer = UnsafeMutableRawPointer(bitPattern: block.address) else { throw AllocatorFailure.outOfMemory }
                                #expect(Self.filled(pointer, block.size, block.fill))
                                sqlite3_free(pointer)
                            }
                        }.value
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private static func filled(_ block: UnsafeMutableRawPointer, _ size: Int, _ fill: UInt8) -> Bool {
        UnsafeRawBufferPointer(start: block, count: size).allSatisfy { $0 == fill }
    }

    private enum AllocatorFailure: Error { case outOfMemory }
}
