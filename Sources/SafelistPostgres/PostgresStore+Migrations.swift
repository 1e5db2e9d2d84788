import PostgresNIO

extension PostgresStore {
    /// Versioned schema changes, applied in order at start, in one transaction under an advisory
    /// lock: when several nodes start at once, one migrates and the others wait, then find
    /// nothing left to do. Never edit a shipped migration: add one.
    static let migrations: [(version: String, sql: [String])] = [
        ("v1-policies", [
            // "C" collation: pattern order is byte order, as in SQLite, whatever the database's locale.
            """
            CREATE TABLE policies (
                id text COLLATE "C" PRIMARY KEY,
                account_id text COLLATE "C" NOT NULL,
                pattern text COLLATE "C" NOT NULL,
                match_key text COLLATE "C" NOT NULL,
                pattern_type text COLLATE "C" NOT NULL,
                is_regex boolean NOT NULL,
                is_trusted_sender boolean NOT NULL,
                is_exempt_recipient boolean NOT NULL,
                is_acceptable_sender boolean NOT NULL,
                verify_sender boolean NOT NULL,
                comments text,
                pattern_folded text NOT NULL,
                comments_folded text,
                created_at bigint NOT NULL,
                modified_at bigint NOT NULL
            )
            """,
        ] + policyIndexes),
        ("v1-credentials", [
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
        ]),
        ("v1-changes", [
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
        ]),
        ("v2-policy-counts", policyCounts),
    ]

    /// Per-account counts by pattern type and flags, so that `total_count` of a list without
    /// `pattern` or `search` sums at most 64 rows instead of counting up to a million index
    /// entries (which took most of a deep page). Statement triggers with transition tables
    /// apply one aggregated change per statement, so a bulk load adds one upsert, not one per row.
    /// They add no contention: only writers of the same account touch an account's rows, and
    /// those already run one at a time (the generation lock).
    static var policyCounts: [String] {
        let key = ["account_id", "pattern_type", "is_trusted_sender", "is_exempt_recipient", "is_acceptable_sender", "verify_sender"]
            .joined(separator: ", ")
        func apply(_ delta: String) -> String {
            """
            INSERT INTO policy_counts (\(key), n)
                SELECT \(key), sum(d) FROM (\(delta)) AS delta GROUP BY \(key) HAVING sum(d) <> 0 ORDER BY \(key)
                ON CONFLICT (\(key)) DO UPDATE SET n = policy_counts.n + EXCLUDED.n;
            """
        }
        func function(_ name: String, _ delta: String) -> String {
            """
            CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                \(apply(delta))
                RETURN NULL;
            END $$
            """
        }
        return [
            """
            CREATE TABLE policy_counts (
                account_id text COLLATE "C" NOT NULL,
                pattern_type text COLLATE "C" NOT NULL,
                is_trusted_sender boolean NOT NULL,
                is_exempt_recipient boolean NOT NULL,
                is_acceptable_sender boolean NOT NULL,
                verify_sender boolean NOT NULL,
                n bigint NOT NULL,
                PRIMARY KEY (\(key))
            )
            """,
            "INSERT INTO policy_counts (\(key), n) SELECT \(key), count(*) FROM policies GROUP BY \(key)",
            function("safelist_count_inserted", "SELECT \(key), 1 AS d FROM new_rows"),
            function("safelist_count_deleted", "SELECT \(key), -1 AS d FROM old_rows"),
            function("safelist_count_updated", "SELECT \(key), 1 AS d FROM new_rows UNION ALL SELECT \(key), -1 FROM old_rows"),
            """
            CREATE TRIGGER policies_count_insert AFTER INSERT ON policies
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION safelist_count_inserted()
            """,
            """
            CREATE TRIGGER policies_count_delete AFTER DELETE ON policies
                REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION safelist_count_deleted()
            """,
            """
            CREATE TRIGGER policies_count_update AFTER UPDATE ON policies
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION safelist_count_updated()
            """,
        ]
    }

    /// The conflict rule as a unique index, and one index per (filter, order) pair, as in SQLite.
    static var policyIndexes: [String] {
        var statements = [
            "CREATE UNIQUE INDEX policies_conflict ON policies(account_id, pattern_type, is_regex, match_key)",
            "CREATE INDEX policies_by_created ON policies(account_id, created_at, id)",
            "CREATE INDEX policies_by_pattern ON policies(account_id, pattern, id)",
        ]
        for column in ["pattern_type", "is_trusted_sender", "is_exempt_recipient", "is_acceptable_sender", "verify_sender"] {
            statements.append("CREATE INDEX policies_\(column)_created ON policies(account_id, \(column), created_at, id)")
            statements.append("CREATE INDEX policies_\(column)_pattern ON policies(account_id, \(column), pattern, id)")
        }
        return statements
    }

    /// An arbitrary constant naming Safelist's migration lock among the database's advisory locks.
    static let migrationLock: Int64 = 0x5AFE_0001

    /// The versions applied, in order.
    @discardableResult
    func migrate() async throws -> [String] {
        let logger = logger
        return try await client.withConnection { connection in
            try await Self.inTransaction(connection, logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS safelist_migrations (
                        version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var done: Set<String> = []
                for try await version in try await connection.query("SELECT version FROM safelist_migrations", logger: logger)
                    .decode(String.self) {
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
