import SafelistAPI
import SafelistEngine
import SafelistRegex

/// Everything `buildApplication` needs, filled from flags and environment by `safelist serve`
/// and by the tests directly.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8787
    public var store = StoreConfiguration()
    public var http = HTTPOptions()
    public var engine = EngineOptions()
    /// The processes regexes are compiled in (`RegexWorkers`). Nil: the application finds
    /// `safelist-regex-worker` itself and stops its workers after the server; `safelist serve`
    /// makes them, so that it can stop them first when asked to shut down.
    public var regexWorkers: RegexWorkers?
    /// Where start-up tells the operator what it is doing: the listening address, waiting for
    /// PostgreSQL, the bootstrap token. Standard output by default.
    public var announce: @Sendable (String) -> Void = Console.line

    public init() {}
}
