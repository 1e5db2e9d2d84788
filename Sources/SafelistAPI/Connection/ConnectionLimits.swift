/// How long a connection may take over each part of a request, and how many may be open, so
/// that slow or idle clients cannot hold the server: a connection that waits too long is
/// closed, and past the connection limit a new connection pushes out the one that has been
/// doing nothing (or trickling a request) the longest. docs/operations.md lists the defaults.
public struct ConnectionLimits: Sendable {
    /// Open connections at most; see `default(fileDescriptors:)`.
    public var maxConnections = 1024
    /// From the end of a response (or the connection's start) to the first byte of the next
    /// request: a keep-alive connection doing nothing is closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// From a request's first byte to the end of its head: a slowloris client's whole budget.
    public var headerTimeout: Duration = .seconds(10)
    /// From a request's head to the end of its body.
    public var bodyTimeout: Duration = .seconds(30)
    /// Request bodies buffered at once, over all connections: past it, a request that needs
    /// more waits for none and is answered 503, so stalled large bodies cannot exhaust memory.
    public var maxBufferedBodyBytes = 256 * 1024 * 1024

    public init() {}

    /// The connection limit a process can hold: its file descriptor limit, less room for the
    /// database, logs and listeners, and no more than 16,384.
    public static func connectionLimit(fileDescriptors: Int) -> Int {
        max(16, min(16_384, fileDescriptors - 256))
    }
}
