import Foundation
import SafelistCore
import SafelistWire

/// Writes policies in an import format, so that export → import gives the same policies:
/// JSON lines of the API's own objects, the full CSV, or the dashboard's upload CSV (which
/// has no id, type or regex column, so it carries less). One task writes at a time (an export
/// is sequential), hence unchecked.
public final class PolicyFileWriter: @unchecked Sendable {
    let format: PolicyFileFormat
    private let output: FileHandle
    private var buffer: [UInt8] = []

    public init(format: PolicyFileFormat, output: FileHandle) throws {
        self.format = format
        self.output = output
        buffer.reserveCapacity(1 << 20)
        switch format {
        case .jsonl: break
        case .csv: try appendCSV([FullCSV.columns])
        case .dashboard: try appendCSV([DashboardCSV.columns])
        }
    }

    public func write(_ policies: [AllowPolicy]) throws {
        switch format {
        case .jsonl:
            for policy in policies {
                buffer += PolicyJSON(policy: policy).jsonBytes()
                buffer.append(UInt8(ascii: "\n"))
            }
        case .csv:
            try appendCSV(
                policies.map { policy in
                    [
                        policy.id.rawValue, policy.pattern, policy.patternType.rawValue, String(policy.isRegex), String(policy.isTrustedSender),
                        String(policy.isExemptRecipient), String(policy.isAcceptableSender), String(policy.verifySender), policy.comments ?? "",
                        policy.createdAt.rfc3339, policy.modifiedAt.rfc3339,
                    ]
                })
        case .dashboard:
            try appendCSV(
                policies.map { policy in
                    [
                        policy.pattern, policy.comments ?? "", String(policy.verifySender), String(policy.isTrustedSender),
                        String(policy.isExemptRecipient), String(policy.isAcceptableSender),
                    ]
                })
        }
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes what is buffered; call once at the end.
    public func finish() throws {
        try flush()
    }

    /// RFC 4180 rows, written here rather than by CSV.swift (which reads them): its writer
    /// goes through an `OutputStream` a Unicode scalar at a time, and took 36 s for a million
    /// policies, against 2 s for this. A field is quoted when it holds a quote, a comma or a line
    /// break, its quotes doubled; the library's reader is the test (`ImportExportTests`).
    private func appendCSV(_ rows: [[String]]) throws {
        for row in rows {
            for (index, field) in row.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                let utf8 = field.utf8
                if utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: ",") || $0 == 10 || $0 == 13 }) {
                    buffer.append(UInt8(ascii: "\""))
                    for byte in utf8 {
                        buffer.append(byte)
                        if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                    }
                    buffer.append(UInt8(ascii: "\""))
                } else {
                    buffer.append(contentsOf: utf8)
                }
            }
            buffer.append(UInt8(ascii: "\n"))
        }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try output.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
