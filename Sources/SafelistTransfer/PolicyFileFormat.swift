import Foundation
import SafelistCore

/// The files `safelist policy import` reads and `export` writes.
public enum PolicyFileFormat: String, Sendable, CaseIterable {
    /// One API policy object a line: what export writes by default, read back exactly.
    case jsonl
    /// Every field, a column each, named as the API names them.
    case csv
    /// The Cloudflare dashboard's upload file: Pattern, Notes, Verify Email, Trusted Sender,
    /// Exempt Recipient, Acceptable Sender; the pattern type is inferred.
    case dashboard

    /// From a file's name and, for CSV, its header: the dashboard's columns are told apart from
    /// the full CSV's by their names.
    public static func detect(path: String, header: [String]?) -> PolicyFileFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        if let header, header.contains(where: { DashboardCSV.columns.contains($0.trimmingCharacters(in: .whitespaces)) }),
            !header.contains("pattern")
        {
            return .dashboard
        }
        return lower.hasSuffix(".csv") ? .csv : .jsonl
    }

    /// A pattern's type as the dashboard's upload infers it (`DashboardCSV`).
    public static func inferType(_ pattern: String) -> PatternType { DashboardCSV.inferType(pattern) }
}
