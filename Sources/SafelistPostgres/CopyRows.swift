import NIOCore
import PostgresNIO
import SafelistSQL

/// Rows streamed to PostgreSQL by `COPY … FROM STDIN`, in its text format. A bulk load's
/// policies and audit entries each go as one stream that the server parses as it arrives,
/// while the client encodes the next buffer; as 5,000-row statements of parameter arrays, each
/// was built, sent, then run while the client waited (a third of the time between two was the
/// client's, measured on a million rows).
enum CopyRows {
    /// A buffer is handed to the connection once it holds this many bytes.
    static let flushAt = 1 << 20

    static func copy(
        into table: String, columns: [String], rows: some Sequence<[SQLValue]>, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(flushAt + 64 * 1024)
            for row in rows {
                append(row, to: &buffer)
                if buffer.readableBytes >= flushAt {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    /// One line: the values separated by tabs, NULL as `\N`.
    static func append(_ row: [SQLValue], to buffer: inout ByteBuffer) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .null: buffer.writeStaticString("\\N")
            case .boolean(let value): buffer.writeInteger(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case .integer(let value): buffer.writeString(String(value))
            case .text(let text): escape(text, into: &buffer)
            // bytea's hex form, its backslash escaped as the format wants.
            case .key(let key):
                buffer.writeStaticString("\\\\x")
                let digits = Array("0123456789abcdef".utf8)
                key.withBytes { bytes in
                    for byte in bytes { buffer.writeBytes([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]) }
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// A text value with the format's own characters escaped: backslash, tab, newline and
    /// carriage return. A pattern never holds them, but a comment may.
    static func escape(_ text: String, into buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let escaped: StaticString
                switch bytes[index] {
                case UInt8(ascii: "\\"): escaped = "\\\\"
                case UInt8(ascii: "\t"): escaped = "\\t"
                case UInt8(ascii: "\n"): escaped = "\\n"
                case UInt8(ascii: "\r"): escaped = "\\r"
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index])))
                buffer.writeStaticString(escaped)
                start = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...])))
        }
    }
}
