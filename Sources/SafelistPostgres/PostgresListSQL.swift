import PostgresNIO
import SafelistCore

/// The WHERE clause and ORDER BY of a list query, with numbered parameters. Column names come
/// from a fixed set, never from the request; values travel as bindings.
struct PostgresListSQL {
    private(set) var condition = "account_id = $1"
    private(set) var bindings = PostgresBindings()
    let query: ListQuery

    init(account: AccountID, query: ListQuery) {
        self.query = query
        bindings.append(account.rawValue)
        if let pattern = query.pattern { add("pattern = ", pattern) }
        if let type = query.patternType { add("pattern_type = ", type.rawValue) }
        for (column, value) in query.flagFilters { add("\(column) = ", value) }
        if let search = query.foldedSearch {
            bindings.append(search)
            let n = bindings.count
            condition += " AND (strpos(pattern_folded, $\(n)) > 0 OR strpos(comments_folded, $\(n)) > 0)"
        }
    }

    private mutating func add(_ comparison: String, _ value: some PostgresDynamicTypeEncodable) {
        bindings.append(value)
        condition += " AND \(comparison)$\(bindings.count)"
    }

    private var orderColumn: String { query.order == .pattern ? "pattern" : "created_at" }

    /// The total order: the chosen column, then `id` as the tiebreak, both in one direction.
    var orderBy: String {
        let direction = query.direction == .asc ? "ASC" : "DESC"
        return "\(orderColumn) \(direction), id \(direction)"
    }

    /// Without `pattern` or `search`, the count comes from the trigger-kept `policy_counts`.
    private var countSQL: String {
        query.pattern == nil && query.search == nil
            ? "SELECT coalesce(sum(n), 0)::bigint FROM policy_counts WHERE \(condition)"
            : "SELECT count(*) FROM policies WHERE \(condition)"
    }

    var count: PostgresQuery { PostgresQuery(unsafeSQL: countSQL, binds: bindings) }

    /// The count and the account's write generation in one round trip.
    var countAndGeneration: PostgresQuery {
        PostgresQuery(unsafeSQL: """
            SELECT (\(countSQL)), coalesce((SELECT generation FROM policy_generations WHERE account_id = $1), 0)
            """, binds: bindings)
    }

    /// Deferred join: the page's ids come off a covering index in order (an index-only scan
    /// when the visibility map allows), then only the page's rows are read.
    func page(limit: Int, offset: Int) -> PostgresQuery {
        var binds = bindings
        binds.append(limit)
        binds.append(offset)
        let n = binds.count
        return window("SELECT id FROM policies WHERE \(condition) ORDER BY \(orderBy) LIMIT $\(n - 1) OFFSET $\(n)", binds)
    }

    /// The page after a remembered boundary: a range seek in the same index, no `OFFSET`.
    func seekPage(after boundary: PageBoundary, limit: Int) -> PostgresQuery {
        var binds = bindings
        switch boundary.value {
        case .integer(let number): binds.append(number)
        case .text(let text): binds.append(text)
        }
        binds.append(boundary.id)
        binds.append(limit)
        let n = binds.count
        let comparison = query.direction == .asc ? ">" : "<"
        return window("""
            SELECT id FROM policies WHERE \(condition) AND (\(orderColumn), id) \(comparison) ($\(n - 2), $\(n - 1)) \
            ORDER BY \(orderBy) LIMIT $\(n)
            """, binds)
    }

    private func window(_ ids: String, _ binds: PostgresBindings) -> PostgresQuery {
        PostgresQuery(unsafeSQL: """
            SELECT \(PostgresPolicyRow.columns) FROM policies WHERE account_id = $1 AND id IN (\(ids)) ORDER BY \(orderBy)
            """, binds: binds)
    }

    /// The baseline the benchmark compares with: `LIMIT … OFFSET …` over full rows.
    func naivePage(limit: Int, offset: Int) -> PostgresQuery {
        var binds = bindings
        binds.append(limit)
        binds.append(offset)
        let n = binds.count
        return PostgresQuery(unsafeSQL: """
            SELECT \(PostgresPolicyRow.columns) FROM policies WHERE \(condition) ORDER BY \(orderBy) LIMIT $\(n - 1) OFFSET $\(n)
            """, binds: binds)
    }
}
