import GRDB

extension SQLiteStore {
    /// Versioned schema changes, applied in order at start. Never edit a shipped migration: add one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-policies") { db in
            try db.execute(sql: """
                CREATE TABLE policies (
                    id TEXT NOT NULL UNIQUE,
                    account_id TEXT NOT NULL,
                    pattern TEXT NOT NULL,
                    match_key TEXT NOT NULL,
                    pattern_type TEXT NOT NULL,
                    is_regex INTEGER NOT NULL,
                    is_trusted_sender INTEGER NOT NULL,
                    is_exempt_recipient INTEGER NOT NULL,
                    is_acceptable_sender INTEGER NOT NULL,
                    verify_sender INTEGER NOT NULL,
                    comments TEXT,
                    pattern_folded TEXT NOT NULL,
                    comments_folded TEXT,
                    created_at INTEGER NOT NULL,
                    modified_at INTEGER NOT NULL
                )
                """)
            for statement in policyIndexes { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v1-credentials") { db in
            try db.execute(sql: """
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    permission TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    secret_hash BLOB NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    revoked_at INTEGER
                );
                CREATE TABLE api_users (
                    email TEXT PRIMARY KEY NOT NULL,
                    scope TEXT NOT NULL,
                    key_hash BLOB NOT NULL,
                    created_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-policy-counts") { db in
            try db.execute(sql: policyCountsSQL)
        }
        migrator.registerMigration("v3-policy-generations") { db in
            try db.execute(sql: policyGenerationsSQL)
        }
        migrator.registerMigration("v4-policy-changes") { db in
            try db.execute(sql: policyChangesSQL)
        }
        return migrator
    }

    /// A per-account counter bumped by every policy write, read in the same snapshot as a list
    /// page: it tells whether a remembered page boundary still holds (`PageBoundaryCache`).
    static var policyGenerationsSQL: String {
        func bump(_ row: String) -> String {
            """
            INSERT INTO policy_generations (account_id, generation) VALUES (\(row).account_id, 1)
                ON CONFLICT (account_id) DO UPDATE SET generation = generation + 1;
            """
        }
        return """
            CREATE TABLE policy_generations (
                account_id TEXT PRIMARY KEY NOT NULL,
                generation INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TRIGGER policies_generation_insert AFTER INSERT ON policies BEGIN \(bump("NEW")) END;
            CREATE TRIGGER policies_generation_delete AFTER DELETE ON policies BEGIN \(bump("OLD")) END;
            CREATE TRIGGER policies_generation_update AFTER UPDATE ON policies BEGIN \(bump("NEW")) END;
            """
    }

    /// The change feed: the latest generation that touched each policy (deleted ones included).
    /// The generation triggers are replaced by ones that bump, then record, in that order.
    static var policyChangesSQL: String {
        func bumpAndRecord(_ row: String) -> String {
            """
            INSERT INTO policy_generations (account_id, generation) VALUES (\(row).account_id, 1)
                ON CONFLICT (account_id) DO UPDATE SET generation = generation + 1;
            INSERT INTO policy_changes (account_id, policy_id, generation)
                VALUES (\(row).account_id, \(row).id, (SELECT generation FROM policy_generations WHERE account_id = \(row).account_id))
                ON CONFLICT (account_id, policy_id) DO UPDATE SET generation = excluded.generation;
            """
        }
        return """
            CREATE TABLE policy_changes (
                account_id TEXT NOT NULL,
                policy_id TEXT NOT NULL,
                generation INTEGER NOT NULL,
                PRIMARY KEY (account_id, policy_id)
            ) WITHOUT ROWID;
            CREATE INDEX policy_changes_by_generation ON policy_changes(account_id, generation);
            INSERT INTO policy_generations (account_id, generation)
                SELECT DISTINCT account_id, 1 FROM policies WHERE true
                ON CONFLICT (account_id) DO NOTHING;
            INSERT INTO policy_changes (account_id, policy_id, generation)
                SELECT account_id, id, (SELECT generation FROM policy_generations g WHERE g.account_id = p.account_id) FROM policies p;
            DROP TRIGGER policies_generation_insert;
            DROP TRIGGER policies_generation_delete;
            DROP TRIGGER policies_generation_update;
            CREATE TRIGGER policies_generation_insert AFTER INSERT ON policies BEGIN \(bumpAndRecord("NEW")) END;
            CREATE TRIGGER policies_generation_delete AFTER DELETE ON policies BEGIN \(bumpAndRecord("OLD")) END;
            CREATE TRIGGER policies_generation_update AFTER UPDATE ON policies BEGIN \(bumpAndRecord("NEW")) END;
            """
    }

    /// Per-account counts by pattern type and flags, kept by triggers in the writing transaction,
    /// so that `total_count` of a list without `pattern` or `search` is a sum over at most 64 rows
    /// instead of a count over up to a million index entries.
    static var policyCountsSQL: String {
        let columns = ["account_id", "pattern_type", "is_trusted_sender", "is_exempt_recipient",
                       "is_acceptable_sender", "verify_sender"]
        let key = columns.joined(separator: ", ")
        let newValues = columns.map { "NEW.\($0)" }.joined(separator: ", ")
        let oldMatch = columns.map { "\($0) = OLD.\($0)" }.joined(separator: " AND ")
        let add = "INSERT INTO policy_counts (\(key), n) VALUES (\(newValues), 1) ON CONFLICT (\(key)) DO UPDATE SET n = n + 1;"
        let remove = "UPDATE policy_counts SET n = n - 1 WHERE \(oldMatch);"
        return """
            CREATE TABLE policy_counts (
                account_id TEXT NOT NULL,
                pattern_type TEXT NOT NULL,
                is_trusted_sender INTEGER NOT NULL,
                is_exempt_recipient INTEGER NOT NULL,
                is_acceptable_sender INTEGER NOT NULL,
                verify_sender INTEGER NOT NULL,
                n INTEGER NOT NULL,
                PRIMARY KEY (\(key))
            ) WITHOUT ROWID;
            INSERT INTO policy_counts (\(key), n) SELECT \(key), count(*) FROM policies GROUP BY \(key);
            CREATE TRIGGER policies_count_insert AFTER INSERT ON policies BEGIN \(add) END;
            CREATE TRIGGER policies_count_delete AFTER DELETE ON policies BEGIN \(remove) END;
            CREATE TRIGGER policies_count_update
                AFTER UPDATE OF \(key) ON policies BEGIN \(remove) \(add) END;
            """
    }

    /// The conflict rule as a unique index, and one index per (filter, order) pair so that a deep
    /// page of a million-policy account is an index walk, never a sort or a table scan.
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
}
