import PostgresNIO
import SafelistSQL

extension PostgresStore {
    /// Versioned schema changes, applied in order at start, in one transaction under an advisory
    /// lock: when several nodes start at once, one migrates and the others wait, then find
    /// nothing left to do. Never edit a shipped migration: add one.
    static let migrations: [(version: String, sql: [String])] = [
        ("v1-policies", [PolicyTable.create(.postgres)] + PolicyTable.firstIndexes),
        (
            "v1-credentials",
            [
                """
                CREATE TABLE api_tokens (
                    id text PRIMARY KEY,
                    name text NOT NULL,
                    permission text NOT NULL,
                    scope text NOT NULL,
                    secret_hash bytea NOT NULL UNIQUE,
                    created_at bigint NOT NULL,
                    expires_at bigint,
                    revoked_at bigint
                )
                """,
                """
                CREATE TABLE api_users (
                    email text PRIMARY KEY,
                    scope text NOT NULL,
                    key_hash bytea NOT NULL,
                    created_at bigint NOT NULL
                )
                """,
            ]
        ),
        (
            "v1-changes",
            [
                // One row per account, locked by every write to it until commit: writes to one account
                // commit in generation order, which is what makes the change feed gapless.
                "CREATE TABLE policy_generations (account_id text COLLATE \"C\" PRIMARY KEY, generation bigint NOT NULL)",
                // The latest generation that touched each policy, deleted ones included.
                """
                CREATE TABLE policy_changes (
                    account_id text COLLATE "C" NOT NULL,
                    policy_id text COLLATE "C" NOT NULL,
                    generation bigint NOT NULL,
                    PRIMARY KEY (account_id, policy_id)
                )
                """,
                "CREATE INDEX policy_changes_by_generation ON policy_changes(account_id, generation)",
            ]
        ),
        ("v2-policy-counts", PolicyCountsSQL.migration(.postgres)),
        ("v3-users-by-key", ["CREATE INDEX api_users_by_key ON api_users(key_hash)"]),
        (
            "v4-compiled-regexes",
            [
                "CREATE TABLE compiled_regexes (key text PRIMARY KEY, value bytea NOT NULL, used_at bigint NOT NULL)",
                "CREATE INDEX compiled_regexes_by_use ON compiled_regexes(used_at)",
            ]
        ),
        ("v5-policy-audit", AuditSQL.create(.postgres)),
        ("v6-policy-loads", [ChangeFeedSQL.createLoads(.postgres)]),
        ("v7-fewer-indexes", PolicyTable.postgresFewerIndexes),
    ]

    /// An arbitrary constant naming Safelist's migration lock among the database's advisory locks.
    static let migrationLock: Int64 = 0x5AFE_0001

    /// The versions applied, in order.
    @discardableResult
    func migrate() async throws -> [String] {
        let logger = logger
        return try await client.withConnection { connection in
            try await Self.inTransaction(connection, logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS safelist_migrations (
                        version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var done: Set<String> = []
                for try await version in try await connection.query("SELECT version FROM safelist_migrations", logger: logger)
                    .decode(String.self)
                {
                    done.insert(version)
                }
                var applied: [String] = []
                for migration in Self.migrations where !done.contains(migration.version) {
                    for statement in migration.sql {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("INSERT INTO safelist_migrations (version) VALUES (\(migration.version))", logger: logger)
                    applied.append(migration.version)
                }
                return applied
            }
        }
    }
}
