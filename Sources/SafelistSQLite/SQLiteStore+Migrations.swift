import GRDB
import SafelistCore
import SafelistSQL

extension SQLiteStore {
    /// Versioned schema changes, applied in order at start. Never edit a shipped migration: add one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-policies") { db in
            try db.execute(sql: PolicyTable.create(.sqlite))
            for statement in PolicyTable.firstIndexes { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v1-credentials") { db in
            try db.execute(
                sql: """
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
            for statement in PolicyCountsSQL.migration(.sqlite) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v3-policy-generations") { db in
            try db.execute(sql: policyGenerationsSQL)
        }
        migrator.registerMigration("v4-policy-changes") { db in
            try db.execute(sql: policyChangesSQL)
        }
        // The change feed is written by the store itself, in Swift, as PostgreSQL's is
        // (`ChangeFeedSQL`): one generation a write, not one a row.
        migrator.registerMigration("v5-change-feed-explicit") { db in
            try db.execute(
                sql: """
                    DROP TRIGGER policies_generation_insert;
                    DROP TRIGGER policies_generation_delete;
                    DROP TRIGGER policies_generation_update;
                    """)
        }
        migrator.registerMigration("v6-users-by-key") { db in
            try db.execute(sql: "CREATE INDEX api_users_by_key ON api_users(key_hash)")
        }
        migrator.registerMigration("v7-compiled-regexes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE compiled_regexes (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL, used_at INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE INDEX compiled_regexes_by_use ON compiled_regexes(used_at);
                    """)
        }
        migrator.registerMigration("v8-fewer-indexes") { db in
            for statement in PolicyTable.fewerIndexes { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v9-flag-indexes") { db in
            for statement in PolicyTable.flagIndexes { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v10-policy-audit") { db in
            for statement in AuditSQL.create(.sqlite) { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v11-policy-loads") { db in
            try db.execute(sql: ChangeFeedSQL.createLoads(.sqlite))
        }
        migrator.registerMigration("v12-packed-keys") { db in try packKeys(db) }
        return migrator
    }

    /// Every account id and policy id becomes the sixteen bytes it spells (`PackedKey`). The
    /// columns keep the type v1 declared: SQLite stores a value as it is given, and a text
    /// column's affinity never converts a blob. Blobs compare as bytes, in the order of the
    /// ids' text, so every index and every list order stays as it was. The count trigger is set
    /// aside meanwhile: it would move each row's count to the new key one row at a time.
    static func packKeys(_ db: Database) throws {
        db.add(function: packedKey)
        let trigger = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'policies_count_update'")
        if trigger != nil { try db.execute(sql: "DROP TRIGGER policies_count_update") }
        let columns: [(table: String, names: [String])] = [
            ("policies", ["id", "account_id"]), ("policy_changes", ["account_id", "policy_id"]), ("policy_generations", ["account_id"]),
            ("policy_loads", ["account_id", "first_id", "last_id"]), ("policy_audit", ["account_id", "policy_id"]),
            ("policy_counts", ["account_id"]),
        ]
        for (table, names) in columns {
            try db.execute(sql: "UPDATE \(table) SET " + names.map { "\($0) = safelist_packed_key(\($0))" }.joined(separator: ", "))
        }
        if let trigger { try db.execute(sql: trigger) }
        db.remove(function: packedKey)
    }

    /// An id's text as its sixteen bytes: an account's 32 hex digits or a policy's UUID. Text
    /// that is neither fails the migration rather than being stored as something else.
    private static let packedKey = DatabaseFunction("safelist_packed_key", argumentCount: 1, pure: true) { values in
        guard let text = String.fromDatabaseValue(values[0]) else {
            throw DatabaseError(message: "An id to pack is not text: \(values[0])")
        }
        if let account = AccountID(text) { return PackedKey(account).data }
        if let id = PolicyID(text) { return PackedKey(id).data }
        throw DatabaseError(message: "An id to pack is neither an account id nor a policy id: \(text)")
    }

    /// A per-account counter bumped by every policy write (by triggers until v5), read in the
    /// same snapshot as a list page: it tells whether a remembered page boundary still holds.
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
    /// The generation triggers were replaced by ones that bump, then record (dropped in v5).
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
}
