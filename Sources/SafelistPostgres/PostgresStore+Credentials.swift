import Foundation
import PostgresNIO
import SafelistCore

extension PostgresStore: CredentialStore {
    public func hasCredentials() async throws -> Bool {
        let logger = logger
        return try await withConnection { connection in
            let rows = try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM api_tokens) OR EXISTS (SELECT 1 FROM api_users)", logger: logger)
            for try await exists in rows.decode(Bool.self) { return exists }
            return false
        }
    }

    public func insert(token: APIToken) async throws {
        let logger = logger
        _ = try await withConnection { connection in
            try await connection.query(
                """
                INSERT INTO api_tokens (id, name, permission, scope, secret_hash, created_at, expires_at, revoked_at)
                VALUES (\(token.id), \(token.name), \(token.permission.rawValue), \(token.scope.text), \(Data(token.secretHash)),
                        \(token.createdAt.microseconds), \(token.expiresAt?.microseconds), \(token.revokedAt?.microseconds))
                """, logger: logger)
        }
    }

    public func token(secretHash: [UInt8]) async throws -> APIToken? {
        try await tokens(where: "WHERE secret_hash = $1", Data(secretHash)).first
    }

    public func tokens() async throws -> [APIToken] {
        try await tokens(where: "ORDER BY created_at, id", nil)
    }

    private func tokens(where clause: String, _ value: Data?) async throws -> [APIToken] {
        let logger = logger
        return try await withConnection { connection in
            var binds = PostgresBindings()
            if let value { try binds.append(value) }
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT id, name, permission, scope, secret_hash, created_at, expires_at, revoked_at FROM api_tokens \(clause)
                        """, binds: binds), logger: logger)
            var tokens: [APIToken] = []
            for try await (id, name, permission, scope, hash, created, expires, revoked)
                in rows.decode((String, String, String, String, Data, Int64, Int64?, Int64?).self)
            {
                guard let permission = Permission(rawValue: permission), let scope = AccountScope(text: scope) else { continue }
                tokens.append(
                    APIToken(
                        id: id, name: name, permission: permission, scope: scope, secretHash: Array(hash),
                        createdAt: Timestamp(microseconds: created), expiresAt: expires.map(Timestamp.init(microseconds:)),
                        revokedAt: revoked.map(Timestamp.init(microseconds:))))
            }
            return tokens
        }
    }

    public func revokeToken(id: String, at time: Timestamp) async throws -> Bool {
        let logger = logger
        return try await withConnection { connection in
            // The notification commits with the change: every node's credential cache drops
            // what it held (`credentialsStamp`).
            let rows = try await connection.query(
                """
                WITH revoked AS (UPDATE api_tokens SET revoked_at = coalesce(revoked_at, \(time.microseconds)) WHERE id = \(id) RETURNING id)
                SELECT pg_notify(\(Self.changeChannel), \(Self.credentialsChanged)) FROM revoked
                """,
                logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    public func insert(user: APIUser) async throws {
        let logger = logger
        try await withConnection { connection in
            do {
                try await connection.query(
                    """
                    INSERT INTO api_users (email, scope, key_hash, created_at)
                    VALUES (\(user.email.lowercased()), \(user.scope.text), \(Data(user.keyHash)), \(user.createdAt.microseconds))
                    """, logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                throw CredentialError.duplicateUser(user.email)
            }
        }
    }

    public func user(email: String) async throws -> APIUser? {
        try await users(where: "WHERE email = $1", .email(email.lowercased())).first
    }

    public func user(keyHash: [UInt8]) async throws -> APIUser? {
        try await users(where: "WHERE key_hash = $1", .keyHash(Data(keyHash))).first
    }

    public func users() async throws -> [APIUser] {
        try await users(where: "ORDER BY email", nil)
    }

    private enum UserKey {
        case email(String)
        case keyHash(Data)
    }

    private func users(where clause: String, _ key: UserKey?) async throws -> [APIUser] {
        let logger = logger
        return try await withConnection { connection in
            var binds = PostgresBindings()
            switch key {
            case .email(let email): binds.append(email)
            case .keyHash(let hash): try binds.append(hash)
            case nil: break
            }
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT email, scope, key_hash, created_at FROM api_users \(clause)", binds: binds), logger: logger)
            var users: [APIUser] = []
            for try await (email, scope, hash, created) in rows.decode((String, String, Data, Int64).self) {
                guard let scope = AccountScope(text: scope) else { continue }
                users.append(APIUser(email: email, scope: scope, keyHash: Array(hash), createdAt: Timestamp(microseconds: created)))
            }
            return users
        }
    }

    public func deleteUser(email: String) async throws -> Bool {
        let logger = logger
        return try await withConnection { connection in
            let rows = try await connection.query(
                """
                WITH deleted AS (DELETE FROM api_users WHERE email = \(email.lowercased()) RETURNING email)
                SELECT pg_notify(\(Self.changeChannel), \(Self.credentialsChanged)) FROM deleted
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }
}
