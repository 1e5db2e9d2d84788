import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Random bytes for new ids, drawn from the kernel's generator 4 KB at a time. Foundation's
/// `UUID()` opens, reads and closes /dev/urandom for every id on Linux: three system calls a
/// create, and 5 % of a million-row import's time (docs/benchmarks.md, "Import and export").
enum RandomPool {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var position = 4096
    }

    private static let pool = Mutex(Pool())

    static func fill(_ output: UnsafeMutableRawBufferPointer) {
        pool.withLock { pool in
            for index in output.indices {
                if pool.position == pool.bytes.count {
                    pool.bytes.withUnsafeMutableBytes(refill)
                    pool.position = 0
                }
                output[index] = pool.bytes[pool.position]
                pool.position += 1
            }
        }
    }

    /// `getentropy` gives at most 256 bytes a call, and does not fail short of that.
    private static func refill(_ buffer: UnsafeMutableRawBufferPointer) {
        var generator = SystemRandomNumberGenerator()
        for start in stride(from: 0, to: buffer.count, by: 256) {
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[start..<min(start + 256, buffer.count)])
            #if canImport(Glibc)
                if getentropy(chunk.baseAddress, chunk.count) == 0 { continue }
            #endif
            for index in chunk.indices { chunk[index] = generator.next() }
        }
    }
}
