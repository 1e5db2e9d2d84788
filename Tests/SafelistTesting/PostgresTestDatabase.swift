import Foundation
import Logging
import PostgresNIO
import SafelistPostgres

/// The PostgreSQL server the tests may use, from `SAFELIST_TEST_POSTGRES_URL`. Each store the
/// tests open gets a database of its own on it, so tests never see each other's rows.
public enum PostgresTestDatabase {
    public static var url: String? {
        guard let value = ProcessInfo.processInfo.environment["SAFELIST_TEST_POSTGRES_URL"], !value.isEmpty else { return nil }
        return value
    }

    public static var isConfigured: Bool { url != nil }

    /// Set by CI: a missing PostgreSQL fails the run instead of skipping its tests.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["SAFELIST_REQUIRE_POSTGRES"] == "1"
    }

    public static let notice =
        "PostgreSQL tests skipped: set SAFELIST_TEST_POSTGRES_URL (scripts/test starts a private cluster when PostgreSQL is installed)"

    /// Creates an empty database and returns its URL.
    public static func create() async throws -> String {
        guard let url else { throw PostgresUnavailableForTests() }
        let admin = try PostgresLocation(url: url)
        let name = "safelist_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        guard var components = URLComponents(string: url) else { throw PostgresUnavailableForTests() }
        try await execute("CREATE DATABASE \(name)", on: admin)
        components.path = "/" + name
        return components.string ?? url
    }

    /// Runs one statement on a direct connection to the admin database.
    public static func execute(_ sql: String, on location: PostgresLocation? = nil) async throws {
        guard let url else { throw PostgresUnavailableForTests() }
        let location = try location ?? PostgresLocation(url: url)
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: Logger(label: "safelist-test-admin"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "safelist-test-admin"))
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

public struct PostgresUnavailableForTests: Error, CustomStringConvertible {
    public var description: String { PostgresTestDatabase.notice }
}
