import Foundation
import GRDB
import SafelistCore

extension SQLiteStore: CompiledRegexCache {
    public func compiledRegexes(_ keys: [String]) async throws -> [String: [UInt8]] {
        guard !keys.isEmpty else { return [:] }
        let now = Timestamp.now().microseconds
        return try await write { db in
            var found: [String: [UInt8]] = [:]
            let select = try db.cachedStatement(sql: "SELECT value FROM compiled_regexes WHERE key = ?")
            let touch = try db.cachedStatement(sql: "UPDATE compiled_regexes SET used_at = ? WHERE key = ?")
            for key in keys {
                guard let value = try Data.fetchOne(select, arguments: [key]) else { continue }
                found[key] = Array(value)
                try touch.execute(arguments: [now, key])
            }
            return found
        }
    }

    public func storeCompiledRegexes(_ entries: [(key: String, value: [UInt8])]) async throws {
        guard !entries.isEmpty else { return }
        let now = Timestamp.now().microseconds
        let expired = now - Self.compiledRegexRetention.components.seconds * 1_000_000
        try await write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO compiled_regexes (key, value, used_at) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value, used_at = excluded.used_at
                    """)
            for (key, value) in entries { try insert.execute(arguments: [key, Data(value), now]) }
            try db.execute(sql: "DELETE FROM compiled_regexes WHERE used_at < ?", arguments: [expired])
        }
    }
}
