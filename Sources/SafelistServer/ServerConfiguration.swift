import SafelistAPI
import SafelistCore
import SafelistEngine
import SafelistMail
import SafelistRegex

/// Everything `buildApplication` needs, filled from flags and environment by `safelist serve`
/// and by the tests directly.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8787
    public var store = StoreConfiguration()
    public var http = HTTPOptions()
    public var engine = EngineOptions()
    /// The Postfix policy service and the milter, when either is on.
    public var mail: MailConfiguration?
    /// The processes regexes are compiled in (`RegexWorkers`). Nil: the application finds
    /// `safelist-regex-worker` itself and stops its workers after the server; `safelist serve`
    /// makes them, so that it can stop them first when asked to shut down.
    public var regexWorkers: RegexWorkers?
    /// Where start-up tells the operator what it is doing: the listening address, waiting for
    /// PostgreSQL, the bootstrap token. Standard output by default.
    public var announce: @Sendable (String) -> Void = Console.line
    /// The first token of a database without credentials, and where its secret goes.
    public var bootstrap = BootstrapToken()
    /// Policy files loaded into empty accounts before the port opens (`--seed ACCOUNT=FILE`).
    public var seeds: [Seed] = []
    /// The listening line as text, or as one JSON object for a test harness to read.
    public var startLine = StartLine.text
    /// How long audit entries are kept; nil keeps them for good.
    public var auditRetention: Duration? = .seconds(365 * 86400)

    public init() {}
}

/// A policy file to load into an account at start, when the account has no policies yet.
public struct Seed: Sendable, Equatable {
    public var account: AccountID
    public var path: String

    public init(account: AccountID, path: String) {
        self.account = account
        self.path = path
    }
}

public enum StartLine: String, Sendable, CaseIterable {
    case text, json
}

/// A database without credentials gets one Write token for all accounts at its first start.
/// Its secret is printed once, or written to `file` (mode 0600) so that it never reaches a
/// terminal's scrollback or the journal; or it is `secret`, given by the operator (a CI job
/// that needs a known token).
public struct BootstrapToken: Sendable {
    public var secret: String?
    public var file: String?

    public init() {}
}

/// The mail listeners `safelist serve` runs beside the API, when asked for.
public struct MailConfiguration: Sendable {
    public var options: MailOptions
    /// Where the Postfix policy service listens (`--postfix-policy`), when it does.
    public var postfixPolicy: ListenAddress?
    /// Where the milter listens (`--milter`), when it does.
    public var milter: ListenAddress?

    public init(options: MailOptions) {
        self.options = options
    }
}

/// `HOST:PORT` (`[::1]:PORT` for IPv6); port 0 picks a free one.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
