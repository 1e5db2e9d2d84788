import Foundation
import SafelistCore
import SafelistWire

/// A problem with one cell, before the API's validation sees the row.
struct CellProblem: Error {
    let field: String
    let message: String
}

/// Safelist's full CSV: every field of a policy, a column each, named as the API names them.
/// Flags are `true` or `false`; an empty `comments` is none; `id`, `created_at` and
/// `modified_at` may be empty or absent (new ones are made unless `--keep-ids`).
enum FullCSV {
    static let columns = [
        "id", "pattern", "pattern_type", "is_regex", "is_trusted_sender", "is_exempt_recipient", "is_acceptable_sender", "verify_sender",
        "comments", "created_at", "modified_at",
    ]
    static let booleans: Set<String> = ["is_regex", "is_trusted_sender", "is_exempt_recipient", "is_acceptable_sender", "verify_sender"]

    /// The row as the JSON object a create body would be, so the API's checks and messages apply.
    static func object(_ cells: [String: String]) -> Result<JSONValue, CellProblem> {
        var object: [String: JSONValue] = [:]
        for (column, text) in cells {
            if booleans.contains(column) {
                switch text.lowercased() {
                case "true": object[column] = .bool(true)
                case "false": object[column] = .bool(false)
                default: return .failure(CellProblem(field: column, message: "\(column) must be true or false, not '\(text)'"))
                }
            } else if column == "comments" {
                object[column] = text.isEmpty ? .null : .string(text)
            } else if !text.isEmpty {
                object[column] = .string(text)
            }
        }
        return .success(.object(object))
    }
}

extension DashboardCSV {
    static func object(_ cells: [String: String]) -> Result<JSONValue, CellProblem> {
        let pattern = (cells["Pattern"] ?? "").trimmingCharacters(in: .whitespaces)
        var object: [String: JSONValue] = [
            "pattern": .string(pattern), "pattern_type": .string(inferType(pattern).rawValue), "is_regex": .bool(false),
        ]
        let notes = cells["Notes"] ?? ""
        object["comments"] = notes.isEmpty ? .null : .string(notes)
        for (column, field) in flags {
            let text = cells[column] ?? ""
            guard let value = flag(text) else {
                return .failure(CellProblem(field: column, message: "\(column) must be true or false (or yes, no, 1, 0), not '\(text)'"))
            }
            object[field] = .bool(value)
        }
        return .success(.object(object))
    }
}
