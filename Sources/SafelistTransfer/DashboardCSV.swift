import Foundation
import SafelistCore

/// The Cloudflare dashboard's allow-policy upload: a header row, then `Pattern`, `Notes`,
/// `Verify Email`, `Trusted Sender`, `Exempt Recipient`, `Acceptable Sender`. It has no type
/// or regex column, so a pattern's type is inferred (docs/import-export.md): an IP address or
/// CIDR block is IP, a text with `@` is EMAIL, anything else DOMAIN; none is a regex.
enum DashboardCSV {
    static let columns = ["Pattern", "Notes", "Verify Email", "Trusted Sender", "Exempt Recipient", "Acceptable Sender"]
    /// The API field each flag column fills.
    static let flags = [
        ("Verify Email", "verify_sender"), ("Trusted Sender", "is_trusted_sender"), ("Exempt Recipient", "is_exempt_recipient"),
        ("Acceptable Sender", "is_acceptable_sender"),
    ]

    static func inferType(_ pattern: String) -> PatternType {
        if (try? IPBlock.parse(pattern)) != nil { return .ip }
        return pattern.contains("@") ? .email : .domain
    }

    /// `true`, `yes` or `1` (any case) is set; `false`, `no`, `0` or empty is not.
    static func flag(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1": true
        case "false", "no", "0", "": false
        default: nil
        }
    }
}
