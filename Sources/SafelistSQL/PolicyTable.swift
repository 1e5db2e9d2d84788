import SafelistCore

/// The `policies` table described once: its columns and how each is read from a policy, the
/// conflict rule's unique index, one index per list shape, and the keys `policy_counts` keeps
/// counts by. Both stores' migrations, writes and reads are built from this.
public enum PolicyTable {
    public struct Column: Sendable {
        public let name: String
        public let type: SQLColumnType
        public let nullable: Bool
        /// Compared or ordered by: byte order ("C" collation) in PostgreSQL.
        let collated: Bool
        /// Changes on an edit; `id`, `account_id` and `created_at` never do.
        let mutable: Bool
        /// The column's value as text and numbers: what an audit snapshot records, and what
        /// PostgreSQL stores. `value(_:in:)` is what a dialect binds.
        public let value: @Sendable (AllowPolicy) -> SQLValue
        /// Which id the column holds, if one: SQLite stores ids packed (`PackedKey`).
        let identifier: Identifier?

        enum Identifier { case policy, account }

        init(
            _ name: String, _ type: SQLColumnType, nullable: Bool = false, collated: Bool = false, mutable: Bool = true,
            identifier: Identifier? = nil, value: @escaping @Sendable (AllowPolicy) -> SQLValue
        ) {
            self.identifier = identifier
            self.name = name
            self.type = type
            self.nullable = nullable
            self.collated = collated
            self.mutable = mutable
            self.value = value
        }

        /// The value `dialect` stores: the two id columns as `SQLDialect.value(of:)` says.
        public func value(_ policy: AllowPolicy, in dialect: SQLDialect) -> SQLValue {
            switch identifier {
            case .policy: dialect.value(of: policy.id)
            case .account: dialect.value(of: policy.accountID)
            case nil: value(policy)
            }
        }
    }

    /// In table order. The last two are derived: the case-folded copies `search` compares with,
    /// computed once per write rather than once per row and search.
    public static let columns: [Column] =
        [
            Column("id", .text, collated: true, mutable: false, identifier: .policy) { .text($0.id.rawValue) },
            Column("account_id", .text, collated: true, mutable: false, identifier: .account) { .text($0.accountID.rawValue) },
            Column("pattern", .text, collated: true) { .text($0.pattern) },
            Column("match_key", .text, collated: true) { .text($0.matchKey) },
            Column("pattern_type", .text, collated: true) { .text($0.patternType.rawValue) },
            Column("is_regex", .boolean) { .boolean($0.isRegex) },
        ]
        + PolicyFlag.allCases.map { flag in
            Column(flag.rawValue, .boolean) { .boolean($0[flag]) }
        } + [
            Column("comments", .text, nullable: true) { $0.comments.map(SQLValue.text) ?? .null },
            Column("pattern_folded", .text) { .text(ListQuery.fold($0.pattern)) },
            Column("comments_folded", .text, nullable: true) { $0.comments.map { SQLValue.text(ListQuery.fold($0)) } ?? .null },
            Column("created_at", .integer, mutable: false) { .integer($0.createdAt.microseconds) },
            Column("modified_at", .integer) { .integer($0.modifiedAt.microseconds) },
        ]

    /// What a read selects, in the order `decode` reads: every column but the derived ones.
    public static let selected = columns.filter { !$0.name.hasSuffix("_folded") }
    public static let selectList = selected.map(\.name).joined(separator: ", ")

    /// `policy_counts` keeps one row per account and combination of these.
    public static let countKeys = ["account_id", "pattern_type"] + PolicyFlag.allCases.map(\.rawValue)

    /// The indexes the first schema made: the conflict rule as a unique index, and one index per
    /// (filter, order) pair. Kept as they were, since migrations replay them on a new database;
    /// `fewerIndexes` then changes them.
    public static let firstIndexes: [String] = {
        var statements = [
            "CREATE UNIQUE INDEX policies_conflict ON policies(account_id, pattern_type, is_regex, match_key)",
            "CREATE INDEX policies_by_created ON policies(account_id, created_at, id)",
            "CREATE INDEX policies_by_pattern ON policies(account_id, pattern, id)",
        ]
        for column in filterColumns {
            statements.append("CREATE INDEX policies_\(column)_created ON policies(account_id, \(column), created_at, id)")
            statements.append("CREATE INDEX policies_\(column)_pattern ON policies(account_id, \(column), pattern, id)")
        }
        return statements
    }()

    /// The columns a list filters on by equality, besides `pattern`.
    static let filterColumns = ["pattern_type"] + PolicyFlag.allCases.map(\.rawValue)

    /// Every insert wrote a leaf of each index, and the five ordered by pattern each wrote one
    /// anywhere in the tree: half an insert's CPU on SQLite (docs/benchmarks.md, "Pages written
    /// per insert"). A filter in pattern order now walks `policies_by_pattern`, which carries
    /// the filter columns so that rows are skipped inside the index, never read from the table
    /// (creation order followed in v9, `flagIndexes`). Every list shape is still an index walk with no sort.
    /// SQLite only: `ListSQL` names the index for SQLite. PostgreSQL's planner, without the
    /// pattern-ordered filter indexes and without statistics, chose a sequential scan and a sort
    /// (measured at 200,000 policies); it thinned its own later (`postgresFewerIndexes`).
    public static let fewerIndexes: [String] =
        filterColumns.map { "DROP INDEX policies_\($0)_pattern" } + [
            "DROP INDEX policies_by_pattern",
            "CREATE INDEX policies_by_pattern ON policies(account_id, pattern, id, \(filterColumns.joined(separator: ", ")))",
        ]

    /// The flag indexes, halved (SQLite migration v9). Each insert appended to five
    /// creation-ordered filter indexes; the flags' four now index only the policies that have
    /// the flag set, the side a filter usually looks for (a few exempt recipients among many
    /// trusted senders), so a policy writes one or two of them. A filter on an unset flag walks
    /// `policies_by_created`, which now carries the flags and skips rows inside the index, as a
    /// filter in pattern order walks `policies_by_pattern`. Two appended index writes a create
    /// instead of five (docs/benchmarks.md, "Time-ordered ids and flag indexes").
    public static let flagIndexes: [String] = {
        let flags = PolicyFlag.allCases.map(\.rawValue)
        return flags.map { "DROP INDEX policies_\($0)_created" } + [
            "DROP INDEX policies_by_created",
            "CREATE INDEX policies_by_created ON policies(account_id, created_at, id, \(flags.joined(separator: ", ")))",
        ] + flags.map { "CREATE INDEX \(setFlagIndex($0)) ON policies(account_id, created_at, id, \($0)) WHERE \($0) = 1" }
    }()

    /// The partial index of the policies with `flag` set.
    static func setFlagIndex(_ flag: String) -> String { "policies_\(flag)_set" }

    /// PostgreSQL's indexes, thinned (migration v7): thirteen secondary indexes were thirteen
    /// sorts of a million rows after an import (19.7 s of a 30 s load) and thirteen entries an
    /// insert. The flags' eight indexes give way to four partial ones in creation order, and
    /// the two indexes every list shape falls back on carry the filter columns as `INCLUDE`d
    /// ones, so that an index-only scan skips rows inside the index, as SQLite's do
    /// (`fewerIndexes`, `flagIndexes`). The two `pattern_type` indexes stay: types cluster in
    /// pattern order (every IP block starts with a digit), so a type filter in pattern order
    /// walked most of the account inside `policies_by_pattern` (235 ms at a million, against
    /// 0.1 ms). PostgreSQL has no `INDEXED BY`; with statistics (an import analyzes) its
    /// planner takes these for every shape (docs/benchmarks.md, "PostgreSQL's indexes, thinned").
    public static let postgresFewerIndexes: [String] = {
        let flags = PolicyFlag.allCases.map(\.rawValue)
        return flags.flatMap { ["DROP INDEX policies_\($0)_pattern", "DROP INDEX policies_\($0)_created"] } + [
            "DROP INDEX policies_by_pattern",
            "DROP INDEX policies_by_created",
            "CREATE INDEX policies_by_pattern ON policies(account_id, pattern, id) INCLUDE (\(filterColumns.joined(separator: ", ")))",
            "CREATE INDEX policies_by_created ON policies(account_id, created_at, id) INCLUDE (\(flags.joined(separator: ", ")))",
        ] + flags.map { "CREATE INDEX \(setFlagIndex($0)) ON policies(account_id, created_at, id) WHERE \($0)" }
    }()

    /// The table. SQLite keeps its rowid (list pages join on it) with `id` unique; PostgreSQL
    /// makes `id` the primary key.
    public static func create(_ dialect: SQLDialect) -> String {
        let definitions = columns.map { column in
            let constraint =
                column.name == "id"
                ? (dialect == .sqlite ? " NOT NULL UNIQUE" : " PRIMARY KEY")
                : column.nullable ? "" : " NOT NULL"
            return "    \(column.name) \(dialect.type(column.type, collated: column.collated))\(constraint)"
        }
        return "CREATE TABLE policies (\n" + definitions.joined(separator: ",\n") + "\n)"
    }

    /// One row's insert; arguments are `insertValues`.
    public static let insert = DialectStatement { dialect in
        let names = columns.map(\.name).joined(separator: ", ")
        let parameters = (1...columns.count).map(dialect.parameter).joined(separator: ", ")
        return "INSERT INTO policies (\(names)) VALUES (\(parameters))"
    }

    public static func insertValues(_ policy: AllowPolicy, _ dialect: SQLDialect) -> [SQLValue] {
        columns.map { $0.value(policy, in: dialect) }
    }

    /// One row's edit, by id and account: the statement and its arguments. Only the columns
    /// whose values changed are set. SQLite rewrites the entry of every index, and fires every
    /// count trigger, that names a column in the SET list, whatever its value: a PATCH of the
    /// comments that set every column wrote four index entries and two count rows it did not
    /// change (docs/benchmarks.md, "Edits write what they change").
    public static func update(_ dialect: SQLDialect, from before: AllowPolicy?, to after: AllowPolicy) -> (sql: String, values: [SQLValue]) {
        var assignments: [String] = []
        var values: [SQLValue] = []
        for column in columns where column.mutable {
            let value = column.value(after)
            if let before, column.value(before) == value { continue }
            values.append(value)
            assignments.append("\(column.name) = \(dialect.parameter(values.count))")
        }
        // modified_at always moves, so the SET list is never empty; an edit that changed
        // nothing else still touches the row, as its audit entry says.
        if assignments.isEmpty { return update(dialect, from: nil, to: after) }
        values += [dialect.value(of: after.id), dialect.value(of: after.accountID)]
        let sql =
            "UPDATE policies SET \(assignments.joined(separator: ", ")) WHERE id = \(dialect.parameter(values.count - 1)) "
            + "AND account_id = \(dialect.parameter(values.count))"
        return (sql, values)
    }

    /// A policy from the columns of `selectList`, in order.
    public static func decode(_ row: some PolicyRowReader) throws -> AllowPolicy {
        let id = try row.policyID(0), account = try row.accountID(1)
        // Positions as in `selected`; a test holds that list to this order.
        return AllowPolicy(
            id: id, accountID: account, pattern: try row.text(2), matchKey: try row.text(3),
            patternType: PatternType(rawValue: try row.text(4)) ?? .unknown, isRegex: try row.boolean(5),
            isTrustedSender: try row.boolean(6), isExemptRecipient: try row.boolean(7),
            isAcceptableSender: try row.boolean(8), verifySender: try row.boolean(9),
            comments: try row.optionalText(10), createdAt: Timestamp(microseconds: try row.integer(11)),
            modifiedAt: Timestamp(microseconds: try row.integer(12)))
    }
}

/// One result row of a `selectList` query, read by position: each driver's rows conform.
public protocol PolicyRowReader {
    func text(_ index: Int) throws -> String
    func optionalText(_ index: Int) throws -> String?
    func integer(_ index: Int) throws -> Int64
    func boolean(_ index: Int) throws -> Bool
    /// An id column as the dialect stores it (`SQLDialect.value(of:)`); by default, text.
    func policyID(_ index: Int) throws -> PolicyID
    func accountID(_ index: Int) throws -> AccountID
}

extension PolicyRowReader {
    /// A row whose id or account does not parse is an error: ids are never invented.
    public func policyID(_ index: Int) throws -> PolicyID {
        let text = try text(index)
        guard let id = PolicyID(text) else { throw SafelistError.internalError("A stored row has a malformed policy id (\(text))") }
        return id
    }

    public func accountID(_ index: Int) throws -> AccountID {
        let text = try text(index)
        guard let account = AccountID(text) else { throw SafelistError.internalError("A stored row has a malformed account id (\(text))") }
        return account
    }
}
