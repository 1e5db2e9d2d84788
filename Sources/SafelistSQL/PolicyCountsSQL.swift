import SafelistCore

/// `policy_counts`: per account, the number of policies for each combination of
/// `PolicyTable.countKeys`, kept by triggers in the writing transaction, so that `total_count`
/// of a list without `pattern` or `search` sums at most 64 rows instead of counting up to a
/// million index entries. SQLite keeps it with row triggers; PostgreSQL with statement triggers
/// over transition tables, one aggregated upsert per statement, so a bulk insert adds one.
public enum PolicyCountsSQL {
    static let key = PolicyTable.countKeys.joined(separator: ", ")

    static func table(_ dialect: SQLDialect) -> String {
        let columns = PolicyTable.columns.filter { PolicyTable.countKeys.contains($0.name) }
            .map { "    \($0.name) \(dialect.type($0.type, collated: $0.collated)) NOT NULL," }
        return """
            CREATE TABLE policy_counts (
            \(columns.joined(separator: "\n"))
                n \(dialect.type(.integer)) NOT NULL,
                PRIMARY KEY (\(key))
            )\(dialect == .sqlite ? " WITHOUT ROWID" : "")
            """
    }

    static var fill: String {
        "INSERT INTO policy_counts (\(key), n) SELECT \(key), count(*) FROM policies GROUP BY \(key)"
    }

    /// Adds what a bulk load counted (`counted`) to the counts (SQLite), after the load ran
    /// without the insert trigger: counted from the rows in memory, not again from the table,
    /// which was a grouped scan of every row of the account (1.7 s at a million).
    public static var addSQLite: String {
        let parameters = (1...PolicyTable.countKeys.count + 1).map(SQLDialect.sqlite.parameter).joined(separator: ", ")
        return "INSERT INTO policy_counts (\(key), n) VALUES (\(parameters)) ON CONFLICT (\(key)) DO UPDATE SET n = n + excluded.n"
    }

    /// Adds `policies` to `counts`, by the key's columns (a load counts its rows as it binds
    /// them, and adds them once: `rows`).
    public static func tally(_ policies: ArraySlice<AllowPolicy>, _ dialect: SQLDialect, into counts: inout [[SQLValue]: Int64]) {
        for policy in policies { counts[countedColumns.map { $0.value(policy, in: dialect) }, default: 0] += 1 }
    }

    /// Each key's values, then its count: `addSQLite`'s arguments.
    public static func rows(_ counts: [[SQLValue]: Int64]) -> [[SQLValue]] {
        counts.map { $0.key + [.integer($0.value)] }
    }

    private static let countedColumns = PolicyTable.countKeys.compactMap { name in PolicyTable.columns.first { $0.name == name } }

    /// The SQLite trigger that counts each insert, which a bulk load sets aside.
    public static let sqliteInsertTrigger = "policies_count_insert"

    /// The table, filled from the policies already stored, and its triggers.
    public static func migration(_ dialect: SQLDialect) -> [String] {
        switch dialect {
        case .sqlite: [table(.sqlite), fill] + sqliteTriggers
        case .postgres: [table(.postgres), fill] + postgresTriggers
        }
    }

    private static var sqliteTriggers: [String] {
        let newValues = PolicyTable.countKeys.map { "NEW.\($0)" }.joined(separator: ", ")
        let oldMatch = PolicyTable.countKeys.map { "\($0) = OLD.\($0)" }.joined(separator: " AND ")
        let add = "INSERT INTO policy_counts (\(key), n) VALUES (\(newValues), 1) ON CONFLICT (\(key)) DO UPDATE SET n = n + 1;"
        let remove = "UPDATE policy_counts SET n = n - 1 WHERE \(oldMatch);"
        return [
            "CREATE TRIGGER policies_count_insert AFTER INSERT ON policies BEGIN \(add) END",
            "CREATE TRIGGER policies_count_delete AFTER DELETE ON policies BEGIN \(remove) END",
            "CREATE TRIGGER policies_count_update AFTER UPDATE OF \(key) ON policies BEGIN \(remove) \(add) END",
        ]
    }

    private static var postgresTriggers: [String] {
        func function(_ name: String, _ delta: String) -> String {
            """
            CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO policy_counts (\(key), n)
                    SELECT \(key), sum(d) FROM (\(delta)) AS delta GROUP BY \(key) HAVING sum(d) <> 0 ORDER BY \(key)
                    ON CONFLICT (\(key)) DO UPDATE SET n = policy_counts.n + EXCLUDED.n;
                RETURN NULL;
            END $$
            """
        }
        return [
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
}
