import CSV
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

    /// Rows quoted by the CSV library, a batch at a time: its writer goes through an
    /// `OutputStream` field by field, so a batch is written to memory and taken whole.
    private func appendCSV(_ rows: [[String]]) throws {
        guard !rows.isEmpty else { return }
        let writer = try CSVWriter(stream: .toMemory())
        for row in rows { try writer.write(row: row) }
        writer.stream.close()
        if let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data { buffer += data }
        buffer.append(UInt8(ascii: "\n"))
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try output.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
