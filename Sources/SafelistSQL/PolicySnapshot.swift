import Foundation
import SafelistCore

/// A policy as the audit trail keeps it: a JSON object of the columns a read selects
/// (`PolicyTable.selected`), by name, so a column added later is carried without a new format,
/// and read back through `PolicyTable.decode` like a row. Written on every change, read only by
/// the audit routes: the writer is a few string appends, the reader Foundation's parser.
public enum PolicySnapshot {
    public static func encode(_ policy: AllowPolicy) -> String {
        var text = "{"
        text.reserveCapacity(320)
        for (column, key) in zip(PolicyTable.selected, keys) {
            text += key
            switch column.value(policy) {
            case .text(let value): appendQuoted(value, to: &text)
            case .integer(let value): text += String(value)
            case .boolean(let value): text += value ? "true" : "false"
            case .null: text += "null"
            // A snapshot holds the columns' own values, which never come packed.
            case .key: text += "null"
            }
        }
        return text + "}"
    }

    public static func decode(_ text: String) throws -> AllowPolicy {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw SafelistError.internalError("An audit entry holds a policy that is not a JSON object")
        }
        return try PolicyTable.decode(Reader(object: object))
    }

    /// Each column's key with what comes before it, made once: an edit writes two snapshots.
    private static let keys = PolicyTable.selected.enumerated().map { index, column in
        (index > 0 ? "," : "") + "\"\(column.name)\":"
    }

    private static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        // Nearly every value has nothing to escape: appended whole, not a scalar at a time
        // (two thirds of what an edit's two snapshots cost).
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    private struct Reader: PolicyRowReader {
        let object: [String: Any]

        private func value(_ index: Int) throws -> Any {
            let name = PolicyTable.selected[index].name
            guard let value = object[name] else {
                throw SafelistError.internalError("An audit entry's policy has no \(name)")
            }
            return value
        }

        private func mismatch(_ index: Int) -> SafelistError {
            .internalError("An audit entry's policy has a malformed \(PolicyTable.selected[index].name)")
        }

        func text(_ index: Int) throws -> String {
            guard let text = try value(index) as? String else { throw mismatch(index) }
            return text
        }

        func optionalText(_ index: Int) throws -> String? {
            let value = try value(index)
            if value is NSNull { return nil }
            guard let text = value as? String else { throw mismatch(index) }
            return text
        }

        func integer(_ index: Int) throws -> Int64 {
            guard let number = try value(index) as? NSNumber else { throw mismatch(index) }
            return number.int64Value
        }

        func boolean(_ index: Int) throws -> Bool {
            let value = try value(index)
            if let flag = value as? Bool { return flag }
            guard let number = value as? NSNumber else { throw mismatch(index) }
            return number.boolValue
        }
    }
}
