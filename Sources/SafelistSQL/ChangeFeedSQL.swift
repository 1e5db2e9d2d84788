import SafelistCore

/// The change feed's statements, the same in both stores and run by both explicitly, in the
/// writing transaction: first `advanceGeneration`, which takes the account's generation row
/// (and with it, in PostgreSQL, the account's write lock until commit) and returns this write's
/// generation; then the write; then `record` for every policy it touched. Writes to one account
/// therefore commit in generation order, one generation each, which is what makes "everything
/// after generation g" a gapless read for a follower.
public enum ChangeFeedSQL {
    public static let advanceGeneration = DialectStatement { dialect in
        bumpGeneration(dialect) + " RETURNING generation"
    }

    /// `advanceGeneration` without its answer. SQLite runs this, then `generation`: its
    /// `RETURNING` builds an ephemeral table at every execution, 2.3 µs a write against 1.2 µs
    /// for the two statements (docs/benchmarks.md, "A generation without RETURNING").
    public static let bumpGeneration = DialectStatement { dialect in
        """
        INSERT INTO policy_generations (account_id, generation) VALUES (\(dialect.parameter(1)), 1) \
        ON CONFLICT (account_id) DO UPDATE SET generation = policy_generations.generation + 1
        """
    }

    /// SQLite records one policy per execution (parameters: account, policy, generation);
    /// PostgreSQL a write's whole list in one statement (account, array of ids, generation).
    public static let record = DialectStatement { dialect in
        let ids = dialect == .sqlite ? "VALUES (?1, ?2, ?3)" : "SELECT $1, unnest($2::text[]), $3"
        return "INSERT INTO policy_changes (account_id, policy_id, generation) \(ids) "
            + "ON CONFLICT (account_id, policy_id) DO UPDATE SET generation = EXCLUDED.generation"
    }

    /// A load (an import), recorded as one row rather than one per policy (a million-row
    /// import's feed was 160 MB and 2 s on SQLite): the account, the load's generation and the
    /// least and greatest id it inserted. Read back by `changedSince`. Parameters: account,
    /// generation, first id, last id.
    public static let recordLoad = DialectStatement { dialect in
        "INSERT INTO policy_loads (account_id, generation, first_id, last_id) VALUES "
            + "(\((1...4).map(dialect.parameter).joined(separator: ", ")))"
    }

    /// `recordLoad`'s range: the least and greatest id of a load's policies.
    public static func loadRange(_ policies: [AllowPolicy]) -> (first: PolicyID, last: PolicyID)? {
        guard var range = policies.first.map({ (first: $0.id, last: $0.id) }) else { return nil }
        for policy in policies.dropFirst() {
            if policy.id < range.first { range.first = policy.id } else if range.last < policy.id { range.last = policy.id }
        }
        return range
    }

    /// The table of loads (SQLite migration v11, PostgreSQL v6). The ids compare as `policies.id` does.
    public static let createLoads = DialectStatement { dialect in
        let text = dialect.type(.text, collated: true)
        return """
            CREATE TABLE policy_loads (
                account_id \(text) NOT NULL,
                generation \(dialect.type(.integer)) NOT NULL,
                first_id \(text) NOT NULL,
                last_id \(text) NOT NULL,
                PRIMARY KEY (account_id, generation)
            )\(dialect == .sqlite ? " WITHOUT ROWID" : "")
            """
    }

    /// The ids written after a generation (parameters: account, generation): those
    /// `policy_changes` records, and every policy of the account whose id lies in the range of
    /// a later load. The range may take in policies the load did not write: they come back as
    /// upserted with the state they have, which a follower applies as nothing new. A loaded
    /// policy that a later write changed or deleted is in `policy_changes` as well.
    public static let changedSince = DialectStatement { dialect in
        let account = dialect.parameter(1), generation = dialect.parameter(2)
        return """
            SELECT policy_id FROM policy_changes WHERE account_id = \(account) AND generation > \(generation)
            UNION
            SELECT p.id FROM policy_loads l JOIN policies p ON p.id BETWEEN l.first_id AND l.last_id
            WHERE l.account_id = \(account) AND l.generation > \(generation) AND p.account_id = \(account)
            """
    }

    public static let generation = DialectStatement { dialect in
        "SELECT generation FROM policy_generations WHERE account_id = \(dialect.parameter(1))"
    }

    /// The generations of the accounts in an array parameter (PostgreSQL), or of `count`
    /// accounts, a parameter each (SQLite, whose keys are blobs a JSON array cannot carry).
    public static func generations(_ dialect: SQLDialect, count: Int = 1) -> String {
        dialect == .sqlite
            ? "SELECT account_id, generation FROM policy_generations WHERE account_id IN (\((1...max(1, count)).map(dialect.parameter).joined(separator: ", ")))"
            : "SELECT account_id, generation FROM policy_generations WHERE account_id = ANY($1)"
    }

    /// Every account ever written, in order.
    public static let accounts = "SELECT account_id FROM policy_generations ORDER BY account_id"
}
