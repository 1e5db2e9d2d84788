import GRDB
import SafelistCore

/// The WHERE clause and ORDER BY of a list query. Column names come from a fixed set, never from
/// the request; values travel as arguments.
struct ListFilterSQL {
    var condition = "account_id = ?"
    var arguments: StatementArguments
    let query: ListQuery

    init(account: AccountID, query: ListQuery) {
        self.query = query
        arguments = [account.rawValue]
        if let pattern = query.pattern {
            condition += " AND pattern = ?"
            arguments += [pattern]
        }
        if let type = query.patternType {
            condition += " AND pattern_type = ?"
            arguments += [type.rawValue]
        }
        for (column, value) in query.flagFilters {
            condition += " AND \(column) = ?"
            arguments += [value]
        }
        if let search = query.foldedSearch {
            condition += " AND (instr(pattern_folded, ?) > 0 OR instr(comments_folded, ?) > 0)"
            arguments += [search, search]
        }
    }

    private var orderColumn: String { query.order == .pattern ? "pattern" : "created_at" }

    /// The total order: the chosen column, then `id` as the tiebreak, both in one direction.
    var orderBy: String {
        let direction = query.direction == .asc ? "ASC" : "DESC"
        return "\(orderColumn) \(direction), id \(direction)"
    }

    /// Without `pattern` or `search`, the count comes from the trigger-kept `policy_counts`.
    var countSQL: String {
        query.pattern == nil && query.search == nil
            ? "SELECT coalesce(sum(n), 0) FROM policy_counts WHERE \(condition)"
            : "SELECT count(*) FROM policies WHERE \(condition)"
    }

    /// Deferred join: a window of rowids comes off a covering index in order, then only the page's
    /// rows are read; the outer ORDER BY sorts just those.
    private func page(_ window: String) -> String {
        "SELECT \(PolicyRow.columns) FROM policies WHERE rowid IN (\(window)) ORDER BY \(orderBy)"
    }

    /// Arguments: the filter's, then LIMIT and OFFSET.
    var pageSQL: String { page(windowSQL) }

    var windowSQL: String {
        "SELECT rowid FROM policies\(indexHint) WHERE \(condition) ORDER BY \(orderBy) LIMIT ? OFFSET ?"
    }

    /// The page after a remembered boundary: a range seek in the same index, no `OFFSET`.
    /// Arguments: the filter's, the boundary's value and id, then LIMIT.
    var seekPageSQL: String { page(seekWindowSQL) }

    var seekWindowSQL: String {
        let comparison = query.direction == .asc ? ">" : "<"
        return "SELECT rowid FROM policies\(indexHint) WHERE \(condition) AND (\(orderColumn), id) \(comparison) (?, ?) "
            + "ORDER BY \(orderBy) LIMIT ?"
    }

    /// An exact `pattern` matches at most one row per (type, is_regex): its index finds them and
    /// sorting a handful is free. Without the hint SQLite, knowing no row counts, may prefer
    /// walking the whole account in created_at order to avoid that sort.
    private var indexHint: String {
        query.pattern == nil ? "" : " INDEXED BY policies_by_pattern"
    }
}
