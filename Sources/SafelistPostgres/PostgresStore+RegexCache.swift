import Foundation
import PostgresNIO
import SafelistCore

extension PostgresStore: CompiledRegexCache {
    public func compiledRegexes(_ keys: [String]) async throws -> [String: [UInt8]] {
        guard !keys.isEmpty else { return [:] }
        let logger = logger
        let now = Timestamp.now().microseconds
        return try await withConnection { connection in
            var found: [String: [UInt8]] = [:]
            let rows = try await connection.query(
                "UPDATE compiled_regexes SET used_at = \(now) WHERE key = ANY(\(keys)) RETURNING key, value", logger: logger)
            for try await (key, value) in rows.decode((String, Data).self) { found[key] = Array(value) }
            return found
        }
    }

    public func storeCompiledRegexes(_ entries: [(key: String, value: [UInt8])]) async throws {
        guard !entries.isEmpty else { return }
        let logger = logger
        let now = Timestamp.now().microseconds
        let expired = now - Self.compiledRegexRetention.components.seconds * 1_000_000
        try await withConnection { connection in
            for (key, value) in entries {
                try await connection.query(
                    """
                    INSERT INTO compiled_regexes (key, value, used_at) VALUES (\(key), \(Data(value)), \(now))
                    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, used_at = EXCLUDED.used_at
                    """, logger: logger)
            }
            try await connection.query("DELETE FROM compiled_regexes WHERE used_at < \(expired)", logger: logger)
        }
    }
}
