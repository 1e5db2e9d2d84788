import Foundation
import GRDB
import SafelistCore

extension SQLiteStore: CredentialStore {
    public func hasCredentials() async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_tokens) OR EXISTS (SELECT 1 FROM api_users)") ?? false
        }
    }

    public func insert(token: APIToken) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_tokens (id, name, permission, scope, secret_hash, created_at, expires_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.id, token.name, token.permission.rawValue, token.scope.text, Data(token.secretHash),
                    token.createdAt.microseconds, token.expiresAt?.microseconds, token.revokedAt?.microseconds,
                ])
        }
    }

    public func token(secretHash: [UInt8]) async throws -> APIToken? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM api_tokens WHERE secret_hash = ?"),
                arguments: [Data(secretHash)]
            ).flatMap(Self.token)
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY created_at, id").compactMap(Self.token)
        }
    }

    public func revokeToken(id: String, at time: Timestamp) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                arguments: [time.microseconds, id])
            return db.changesCount > 0
        }
    }

    public func insert(user: APIUser) async throws {
        try await write { db in
            do {
                try db.execute(
                    sql: "INSERT INTO api_users (email, scope, key_hash, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [
                        user.email.lowercased(), user.scope.text, Data(user.keyHash),
                        user.createdAt.microseconds,
                    ])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw CredentialError.duplicateUser(user.email)
            }
        }
    }

    public func user(email: String) async throws -> APIUser? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM api_users WHERE email = ?"),
                arguments: [email.lowercased()]
            ).flatMap(Self.user)
        }
    }

    public func user(keyHash: [UInt8]) async throws -> APIUser? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_users WHERE key_hash = ?"), arguments: [Data(keyHash)])
                .flatMap(Self.user)
        }
    }

    public func users() async throws -> [APIUser] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_users ORDER BY email").compactMap(Self.user)
        }
    }

    public func deleteUser(email: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM api_users WHERE email = ?", arguments: [email.lowercased()])
            return db.changesCount > 0
        }
    }

    private static func token(_ row: Row) -> APIToken? {
        guard let permission = Permission(rawValue: row["permission"]), let scope = AccountScope(text: row["scope"]) else {
            return nil
        }
        let hash: Data = row["secret_hash"]
        let expires: Int64? = row["expires_at"]
        let revoked: Int64? = row["revoked_at"]
        return APIToken(
            id: row["id"], name: row["name"], permission: permission, scope: scope,
            secretHash: Array(hash), createdAt: Timestamp(microseconds: row["created_at"]),
            expiresAt: expires.map(Timestamp.init(microseconds:)),
            revokedAt: revoked.map(Timestamp.init(microseconds:)))
    }

    private static func user(_ row: Row) -> APIUser? {
        guard let scope = AccountScope(text: row["scope"]) else { return nil }
        let hash: Data = row["key_hash"]
        return APIUser(
            email: row["email"], scope: scope, keyHash: Array(hash),
            createdAt: Timestamp(microseconds: row["created_at"]))
    }
}
