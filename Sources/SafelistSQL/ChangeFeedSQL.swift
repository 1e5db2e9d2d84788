import SafelistCore

/// The change feed's statements, the same in both stores and run by both explicitly, in the
/// writing transaction: first `advanceGeneration`, which takes the account's generation row
/// (and with it, in PostgreSQL, the account's write lock until commit) and returns this write's
/// generation; then the write; then `record` for every policy it touched. Writes to one account
/// therefore commit in generation order, one generation each, which is what makes "everything
/// after generation g" a gapless read for a follower.
public enum ChangeFeedSQL {
    public static let advanceGeneration = DialectStatement { dialect in
        """
        INSERT INTO policy_generations (account_id, generation) VALUES (\(dialect.parameter(1)), 1) \
        ON CONFLICT (account_id) DO UPDATE SET generation = policy_generations.generation + 1 RETURNING generation
        """
    }

    /// SQLite records one policy per execution (parameters: account, policy, generation);
    /// PostgreSQL a write's whole list in one statement (account, array of ids, generation).
    public static let record = DialectStatement { dialect in
        let ids = dialect == .sqlite ? "VALUES (?1, ?2, ?3)" : "SELECT $1, unnest($2::text[]), $3"
        return "INSERT INTO policy_changes (account_id, policy_id, generation) \(ids) "
            + "ON CONFLICT (account_id, policy_id) DO UPDATE SET generation = EXCLUDED.generation"
    }

    /// A SQLite load's policies, the rows after rowid `?2`, recorded at generation `?1` in key
    /// order (a sort: the unique index on `id` would walk every policy of the table).
    public static let recordLoadSQLite = """
        INSERT INTO policy_changes (account_id, policy_id, generation)
        SELECT account_id, id, ?1 FROM policies WHERE rowid > ?2 ORDER BY +account_id, +id
        ON CONFLICT (account_id, policy_id) DO UPDATE SET generation = EXCLUDED.generation
        """

    public static let generation = DialectStatement { dialect in
        "SELECT generation FROM policy_generations WHERE account_id = \(dialect.parameter(1))"
    }

    /// The generations of the accounts in an array parameter (SQLite: a JSON array).
    public static func generations(_ dialect: SQLDialect) -> String {
        dialect == .sqlite
            ? "SELECT account_id, generation FROM policy_generations WHERE account_id IN (SELECT value FROM json_each(?1))"
            : "SELECT account_id, generation FROM policy_generations WHERE account_id = ANY($1)"
    }

    /// Every account ever written, in order.
    public static let accounts = "SELECT account_id FROM policy_generations ORDER BY account_id"

    /// The ids written after a generation (parameters: account, generation).
    public static func changedSince(_ dialect: SQLDialect) -> String {
        "SELECT policy_id FROM policy_changes WHERE account_id = \(dialect.parameter(1)) AND generation > \(dialect.parameter(2))"
    }
}
