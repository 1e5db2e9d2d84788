import Foundation

/// Where the PostgreSQL database is, from `postgres://user:password@host:port/database?sslmode=…`
/// (the libpq form operators already use; `postgresql://` too). The password never appears in
/// `description`, so it stays out of logs and error messages.
///
/// As libpq reads it, the host may be an IPv6 literal in brackets (`[::1]`), or a directory
/// holding the server's Unix socket: percent-encoded in the host (`%2Fvar%2Frun%2Fpostgresql`)
/// or given as `?host=/var/run/postgresql`. The socket is `.s.PGSQL.<port>` in that directory.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(url text: String) throws(PostgresLocationError) {
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw PostgresLocationError("'\(Self.redact(text))' is not a postgres://user:password@host:port/database URL")
        }
        var host = components.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let user = components.user, !user.isEmpty else { throw PostgresLocationError("the database URL names no user") }
        let database = String(components.path.drop { $0 == "/" })
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresLocationError("sslmode must be disable, prefer or require")
                }
                tls = mode
            case "host":
                guard let directory = item.value, directory.hasPrefix("/") else {
                    throw PostgresLocationError("host= must be the directory of the server's Unix socket (an absolute path)")
                }
                host = directory
            default:
                throw PostgresLocationError("unknown database URL parameter '\(item.name)' (known: sslmode, host)")
            }
        }
        guard !host.isEmpty else { throw PostgresLocationError("the database URL names no host (or ?host=/socket/directory)") }
        self.init(
            host: host, port: components.port ?? 5432,
            username: components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? user,
            password: components.percentEncodedPassword.flatMap { $0.removingPercentEncoding },
            database: database.isEmpty ? user : (database.removingPercentEncoding ?? database), tls: tls)
    }

    /// The socket's path when the host is a directory (a Unix socket, as libpq names it).
    public var unixSocketPath: String? {
        host.hasPrefix("/") ? (host.hasSuffix("/") ? host : host + "/") + ".s.PGSQL.\(port)" : nil
    }

    /// Where the server is, for messages: `host:port`, `[::1]:port`, or the socket's path.
    public var endpoint: String {
        if let unixSocketPath { return unixSocketPath }
        return (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    public var description: String {
        unixSocketPath.map { "postgres://\(username)@/\(database)?host=\($0)" } ?? "postgres://\(username)@\(endpoint)/\(database)"
    }

    /// The URL with its password replaced, for messages about a URL that did not parse.
    static func redact(_ text: String) -> String {
        text.replacing(#/:[^:@/]*@/#, with: ":***@")
    }
}

public struct PostgresLocationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
