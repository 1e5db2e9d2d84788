import SafelistCore

/// A list query in SQL: its condition, total order, count, and the statements that read one
/// page by `OFFSET` or by seeking past a boundary. Column names come from `PolicyTable`, never
/// from the request; values travel as parameters. One algorithm; the dialect decides how a
/// page's rows are joined back (SQLite by rowid, PostgreSQL by id) and a function name.
public struct ListSQL: Sendable {
    public let dialect: SQLDialect
    public let query: ListQuery
    /// The filter; `$1`/`?1` is the account.
    public private(set) var condition: String
    public private(set) var arguments: [SQLValue]

    public init(_ dialect: SQLDialect, account: AccountID, query: ListQuery) {
        self.dialect = dialect
        self.query = query
        condition = "account_id = \(dialect.parameter(1))"
        arguments = [dialect.value(of: account)]
        if let pattern = query.pattern { add("pattern", .text(pattern)) }
        if let type = query.patternType { add("pattern_type", .text(type.rawValue)) }
        for (flag, value) in query.flagFilters {
            // A partial index serves a query only when the query says its condition in so many
            // words, to SQLite and to a PostgreSQL plan made without the parameters' values: a
            // flag is written as the literal, which comes from a Bool, never from text.
            condition += " AND \(flag.rawValue) = \(dialect.literal(value))"
        }
        if let search = query.foldedSearch {
            arguments.append(.text(search))
            let needle = dialect.parameter(arguments.count)
            condition +=
                " AND (\(dialect.position(of: needle, in: "pattern_folded")) > 0"
                + " OR \(dialect.position(of: needle, in: "comments_folded")) > 0)"
        }
    }

    private mutating func add(_ column: String, _ value: SQLValue) {
        arguments.append(value)
        condition += " AND \(column) = \(dialect.parameter(arguments.count))"
    }

    private var orderColumn: String { query.order == .pattern ? "pattern" : "created_at" }

    /// The total order: the chosen column, then `id` as the tiebreak, both in one direction.
    public var orderBy: String {
        let direction = query.direction == .asc ? "ASC" : "DESC"
        return "\(orderColumn) \(direction), id \(direction)"
    }

    /// Without `pattern` or `search`, the count comes from the trigger-kept `policy_counts`.
    public var countSQL: String {
        query.pattern == nil && query.search == nil
            ? "SELECT CAST(coalesce(sum(n), 0) AS bigint) FROM policy_counts WHERE \(condition)"
            : "SELECT count(*) FROM policies WHERE \(condition)"
    }

    /// The count and the account's write generation in one statement, from one snapshot: a
    /// remembered page boundary holds only while the generation has not moved.
    public var countAndGeneration: (sql: String, arguments: [SQLValue]) {
        let generation = "coalesce((SELECT generation FROM policy_generations WHERE account_id = \(dialect.parameter(1))), 0)"
        return ("SELECT (\(countSQL)), \(generation)", arguments)
    }

    /// The statement that reads the page as `PageBoundaryCache.plan` decided.
    public func page(_ read: PageRead) -> (sql: String, arguments: [SQLValue]) {
        switch read {
        case .offset(let offset): (joined(windowSQL), arguments + [.integer(Int64(query.perPage)), .integer(Int64(offset))])
        case .seek(let boundary): (joined(seekWindowSQL), arguments + seekArguments(after: boundary))
        }
    }

    /// Deferred join: a window of row keys comes off a covering index in order, then only the
    /// page's rows are read; the outer ORDER BY sorts just those.
    private func joined(_ window: String) -> String {
        switch dialect {
        case .sqlite:
            "SELECT \(PolicyTable.selectList) FROM policies WHERE rowid IN (\(window)) ORDER BY \(orderBy)"
        case .postgres:
            "SELECT \(PolicyTable.selectList) FROM policies WHERE account_id = $1 AND id IN (\(window)) ORDER BY \(orderBy)"
        }
    }

    private var rowKey: String { dialect == .sqlite ? "rowid" : "id" }

    /// A page by `OFFSET`: parameters are the filter's, then LIMIT and OFFSET.
    public var windowSQL: String {
        let n = arguments.count
        return "SELECT \(rowKey) FROM policies\(indexHint) WHERE \(condition) ORDER BY \(orderBy) "
            + "LIMIT \(dialect.parameter(n + 1)) OFFSET \(dialect.parameter(n + 2))"
    }

    /// The page after a remembered boundary: a range seek in the same index, no `OFFSET`.
    /// Parameters are the filter's, the boundary's value and id, then LIMIT.
    public var seekWindowSQL: String {
        let n = arguments.count
        let comparison = query.direction == .asc ? ">" : "<"
        return "SELECT \(rowKey) FROM policies\(indexHint) WHERE \(condition) AND (\(orderColumn), id) \(comparison) "
            + "(\(dialect.parameter(n + 1)), \(dialect.parameter(n + 2))) ORDER BY \(orderBy) LIMIT \(dialect.parameter(n + 3))"
    }

    /// The window and seek statements with arguments for a first page and a made-up boundary:
    /// what a store asks its planner about, for tests that keep every list shape on an index.
    public var planProbes: (window: (sql: String, arguments: [SQLValue]), seek: (sql: String, arguments: [SQLValue])) {
        let boundary = PageBoundary(value: query.order == .pattern ? .text("x") : .integer(0), id: PolicyID(uuid: .init()))
        return (
            (windowSQL, arguments + [.integer(Int64(query.perPage)), .integer(0)]),
            (seekWindowSQL, arguments + seekArguments(after: boundary))
        )
    }

    public func seekArguments(after boundary: PageBoundary) -> [SQLValue] {
        let value: SQLValue =
            switch boundary.value {
            case .integer(let number): .integer(number)
            case .text(let text): .text(text)
            }
        return [value, dialect.value(of: boundary.id), .integer(Int64(query.perPage))]
    }

    /// An exact `pattern` matches at most one row per (type, is_regex): its index finds them and
    /// sorting a handful is free. Without the hint SQLite, knowing no row counts, may prefer
    /// walking the whole account in created_at order to avoid that sort. A filter in pattern
    /// order walks the same index, which carries the filter columns (`PolicyTable.fewerIndexes`):
    /// without the hint SQLite would take the filter's creation-ordered index and sort the rows.
    /// In creation order, a set flag walks its partial index, and an unset one, alone,
    /// `policies_by_created`, which carries the flags (`PolicyTable.flagIndexes`).
    private var indexHint: String {
        guard dialect == .sqlite else { return "" }
        let filtered = query.patternType != nil || !query.flagFilters.isEmpty
        if query.pattern != nil || (query.order == .pattern && filtered) { return " INDEXED BY policies_by_pattern" }
        if let set = query.flagFilters.first(where: \.1) { return " INDEXED BY \(PolicyTable.setFlagIndex(set.0.rawValue))" }
        if query.patternType == nil && !query.flagFilters.isEmpty { return " INDEXED BY policies_by_created" }
        return ""
    }

    /// Every policy of the account (parameter 1) in the list's default order (`orderBy` of a
    /// default query), for an export; a test holds an export read this way to one read by pages.
    public static func everyPolicy(_ dialect: SQLDialect) -> String {
        "SELECT \(PolicyTable.selectList) FROM policies WHERE account_id = \(dialect.parameter(1)) ORDER BY created_at ASC, id ASC"
    }

    /// The benchmark's baseline: `LIMIT … OFFSET …` over full rows, no deferred join.
    public func naivePage(offset: Int) -> (sql: String, arguments: [SQLValue]) {
        let n = arguments.count
        return (
            "SELECT \(PolicyTable.selectList) FROM policies WHERE \(condition) ORDER BY \(orderBy) "
                + "LIMIT \(dialect.parameter(n + 1)) OFFSET \(dialect.parameter(n + 2))",
            arguments + [.integer(Int64(query.perPage)), .integer(Int64(offset))]
        )
    }
}
