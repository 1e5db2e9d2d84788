import Foundation

/// Where the PostgreSQL database is, from `postgres://user:password@host:port/database?sslmode=…`
/// (the libpq form operators already use; `postgresql://` too). The password never appears in
/// `description`, so it stays out of logs and error messages.
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
        guard let host = components.host, !host.isEmpty else { throw PostgresLocationError("the database URL names no host") }
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
            default:
                throw PostgresLocationError("unknown database URL parameter '\(item.name)' (known: sslmode)")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432,
            username: components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? user,
            password: components.percentEncodedPassword.flatMap { $0.removingPercentEncoding },
            database: database.isEmpty ? user : (database.removingPercentEncoding ?? database), tls: tls)
    }

    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)"
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
