import SafelistCore

/// The `policy_audit` table: one row per policy change, written by the store's write in the
/// same transaction. Two indexes serve the reads an operator makes: an account's trail newest
/// first, and one policy's history. An actor or time filter walks the account's index.
public enum AuditSQL {
    public static func create(_ dialect: SQLDialect) -> [String] {
        let sequence = dialect == .sqlite ? "seq INTEGER PRIMARY KEY" : "seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        let text = dialect.type(.text), integer = dialect.type(.integer)
        return [
            """
            CREATE TABLE policy_audit (
                \(sequence),
                account_id \(text) NOT NULL,
                policy_id \(text) NOT NULL,
                action \(text) NOT NULL,
                channel \(text) NOT NULL,
                actor \(text) NOT NULL,
                client \(text),
                request_id \(text),
                at \(integer) NOT NULL,
                before \(text),
                after \(text)
            )
            """,
            "CREATE INDEX policy_audit_by_account ON policy_audit(account_id, seq)",
            "CREATE INDEX policy_audit_by_policy ON policy_audit(account_id, policy_id, seq)",
        ]
    }

    /// The columns an insert names, in the order of `values`.
    public static let insertedColumnNames = [
        "account_id", "policy_id", "action", "channel", "actor", "client", "request_id", "at", "before", "after",
    ]
    static let insertedColumns = insertedColumnNames.joined(separator: ", ")

    /// One entry (SQLite, where a statement per row is a function call); arguments are `values`.
    public static let insert = DialectStatement { dialect in
        "INSERT INTO policy_audit (\(insertedColumns)) VALUES (\((1...10).map(dialect.parameter).joined(separator: ", ")))"
    }

    public static func values(_ entry: AuditEntry, _ dialect: SQLDialect) -> [SQLValue] {
        [dialect.value(of: entry.accountID), dialect.value(of: entry.policyID), .text(entry.action.rawValue)] + originValues(entry.origin) + [
            .integer(entry.at.microseconds), entry.before.map { .text(PolicySnapshot.encode($0)) } ?? .null,
            storedAfter(entry).map { .text(PolicySnapshot.encode($0)) } ?? .null,
        ]
    }

    /// A create's policy is the row it inserted: the policy's next entry records it as its
    /// `before`, and until there is one the policy itself still holds it. So a create stores no
    /// snapshot (a third of an entry's bytes, and of an import's writes), and a read finds it
    /// (`resolveCreates`).
    static func storedAfter(_ entry: AuditEntry) -> AllowPolicy? {
        entry.action == .create ? nil : entry.after
    }

    /// A SQLite load's creates, one per policy row after rowid `?5`, in row order: a load
    /// appends its rows, so they are the rows above the largest rowid before it. Parameters:
    /// channel, actor, client, request id, that rowid. Written by SQLite from the rows, where
    /// an entry a row bound from Swift cost an import of a million 3.5 s.
    public static let createdByLoadSQLite = """
        INSERT INTO policy_audit (\(insertedColumns))
        SELECT account_id, id, '\(AuditAction.create.rawValue)', ?1, ?2, ?3, ?4, created_at, NULL, NULL
        FROM policies WHERE rowid > ?5 ORDER BY rowid
        """

    public static func createdByLoadArguments(_ origin: ChangeOrigin, after rowid: Int64) -> [SQLValue] {
        originValues(origin) + [.integer(rowid)]
    }

    /// Who made a change, in column order: channel, actor, client, request id.
    static func originValues(_ origin: ChangeOrigin) -> [SQLValue] {
        [
            .text(origin.channel.rawValue), .text(origin.actor), origin.client.map(SQLValue.text) ?? .null,
            origin.requestID.map(SQLValue.text) ?? .null,
        ]
    }

    /// A write's entries in one statement (PostgreSQL, where a statement is a round trip): the
    /// origin is the write's, the rest travels as arrays. Arrays carry no NULLs here, and a
    /// snapshot is never empty, so an empty string stands for a missing one. Made to go inside
    /// a write's other statement: the account is parameter `account`, the origin and the arrays
    /// the nine from `first`.
    public static func insertMany(account: Int, from first: Int) -> String {
        let parameter = { (offset: Int) in "$\(first + offset)" }
        return """
            INSERT INTO policy_audit (\(insertedColumns))
            SELECT $\(account), policy_id, action, \(parameter(0)), \(parameter(1)), \(parameter(2)), \(parameter(3)), at, \
            NULLIF(before, ''), NULLIF(after, '')
            FROM unnest(\(parameter(4))::text[], \(parameter(5))::text[], \(parameter(6))::int8[], \(parameter(7))::text[], \
            \(parameter(8))::text[]) AS rows(policy_id, action, at, before, after)
            """
    }

    /// `insertMany`'s arrays, in parameter order after the origin.
    public static func columns(_ entries: [AuditEntry]) -> (policies: [String], actions: [String], at: [Int64], before: [String], after: [String]) {
        (
            entries.map(\.policyID.rawValue), entries.map(\.action.rawValue), entries.map(\.at.microseconds),
            entries.map { $0.before.map(PolicySnapshot.encode) ?? "" }, entries.map { storedAfter($0).map(PolicySnapshot.encode) ?? "" }
        )
    }

    /// The columns `decode` reads; the last is a create's policy as its next entry found it.
    static let selectList = """
        seq, account_id, policy_id, action, channel, actor, client, request_id, at, before, after,
        CASE WHEN after IS NULL AND action = 'create' THEN (
            SELECT later.before FROM policy_audit later
            WHERE later.account_id = policy_audit.account_id AND later.policy_id = policy_audit.policy_id
                AND later.seq > policy_audit.seq
            ORDER BY later.seq LIMIT 1
        ) END
        """

    /// A page of `query` and the count of everything it matches, newest first.
    public struct Read: Sendable {
        /// Nil when the page lies beyond any possible trail.
        public let page: (sql: String, arguments: [SQLValue])?
        public let count: (sql: String, arguments: [SQLValue])

        public init(_ dialect: SQLDialect, account: AccountID, query: AuditQuery) {
            var conditions = ["account_id = \(dialect.parameter(1))"]
            var arguments: [SQLValue] = [dialect.value(of: account)]
            func add(_ condition: (String) -> String, _ value: SQLValue) {
                arguments.append(value)
                conditions.append(condition(dialect.parameter(arguments.count)))
            }
            if let policy = query.policyID { add({ "policy_id = \($0)" }, dialect.value(of: policy)) }
            if let actor = query.actor { add({ "actor = \($0)" }, .text(actor)) }
            if let since = query.since { add({ "at >= \($0)" }, .integer(since.microseconds)) }
            if let until = query.until { add({ "at < \($0)" }, .integer(until.microseconds)) }
            let filter = conditions.joined(separator: " AND ")
            count = ("SELECT count(*) FROM policy_audit WHERE \(filter)", arguments)
            let limit = dialect.parameter(arguments.count + 1), offset = dialect.parameter(arguments.count + 2)
            page = query.offset.map { skipped in
                (
                    "SELECT \(selectList) FROM policy_audit WHERE \(filter) ORDER BY seq DESC LIMIT \(limit) OFFSET \(offset)",
                    arguments + [.integer(Int64(query.perPage)), .integer(Int64(skipped))]
                )
            }
        }
    }

    /// An entry from the columns of `selectList`, in order.
    public static func decode(_ row: some PolicyRowReader) throws -> AuditEntry {
        let account = try row.accountID(1), policy = try row.policyID(2), actionText = try row.text(3), channelText = try row.text(4)
        guard let action = AuditAction(rawValue: actionText), let channel = ChangeOrigin.Channel(rawValue: channelText) else {
            throw SafelistError.internalError("An audit entry is malformed (\(account), \(policy), \(actionText), \(channelText))")
        }
        return AuditEntry(
            sequence: try row.integer(0), accountID: account, policyID: policy, action: action,
            origin: ChangeOrigin(actor: try row.text(5), client: try row.optionalText(6), requestID: try row.optionalText(7), channel: channel),
            at: Timestamp(microseconds: try row.integer(8)), before: try row.optionalText(9).map(PolicySnapshot.decode),
            after: try (row.optionalText(10) ?? row.optionalText(11)).map(PolicySnapshot.decode))
    }

    /// The creates of `entries` whose policy no later entry recorded: the policy has not
    /// changed since, so it is what the create wrote.
    public static func unresolvedCreates(_ entries: [AuditEntry]) -> [PolicyID] {
        entries.filter { $0.action == .create && $0.after == nil }.map(\.policyID)
    }

    public static func resolveCreates(_ entries: [AuditEntry], current: [PolicyID: AllowPolicy]) -> [AuditEntry] {
        entries.map { entry in
            guard entry.action == .create, entry.after == nil else { return entry }
            var resolved = entry
            resolved.after = current[entry.policyID]
            return resolved
        }
    }

    /// The oldest entries, for retention: the trail is pruned from its head, in sequence order,
    /// up to the first entry young enough to keep. (Times follow sequence within an account; a
    /// late entry among old ones waits for the next pass.)
    public static let head = DialectStatement { dialect in "SELECT seq, at FROM policy_audit ORDER BY seq LIMIT \(dialect.parameter(1))" }
    public static let deleteThrough = DialectStatement { dialect in "DELETE FROM policy_audit WHERE seq <= \(dialect.parameter(1))" }

    /// The last sequence of `head`'s rows to delete: the run of rows older than `cutoff` at its start.
    public static func pruneThrough(_ head: [(sequence: Int64, at: Int64)], cutoff: Timestamp) -> (sequence: Int64, count: Int)? {
        let old = head.prefix { $0.at < cutoff.microseconds }
        return old.last.map { ($0.sequence, old.count) }
    }
}
