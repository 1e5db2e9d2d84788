import Foundation

/// Reads SQLite's count of committed transactions from the WAL-index (the `-shm` file): the
/// `iChange` field of its header, which every commit by any connection of any process
/// increments before the commit becomes visible (sqlite.org/walformat.html, "The WAL-Index
/// Header"). One `pread` of four bytes: how the server knows, without a round trip to its
/// database queues, that no one (not even the CLI in another process) wrote since a cache
/// entry was read. The file is read, never mapped: a mapping of a file another process
/// truncates would fault, a read just comes back short.
final class WALChangeCounter: Sendable {
    private let descriptor: Int32

    /// Nil when the WAL-index cannot be opened (the database is not in WAL mode).
    init?(databasePath: String) {
        let descriptor = open(databasePath + "-shm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The header's `iChange`, with its version word so that a header not yet written (or a
    /// file cut short) never equals a real one; nil when it cannot be read.
    func current() -> UInt64? {
        var header: (UInt32, UInt32, UInt32) = (0, 0, 0)
        let read = withUnsafeMutableBytes(of: &header) { pread(descriptor, $0.baseAddress, 12, 0) }
        guard read == 12, header.0 != 0 else { return nil }
        return UInt64(header.0) << 32 | UInt64(header.2)
    }
}
