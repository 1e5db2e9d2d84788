import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SafelistCore
import SafelistWire
import Synchronization

/// Reads JSON request bodies: the content type must be JSON, the size under the limit, the
/// bytes valid JSON. Each failure has its own code and status. The bytes of every body being
/// read count against one budget shared by all requests (`ConnectionLimits.maxBufferedBodyBytes`):
/// a body that would pass it is answered 503 at once, so slow or stalled large bodies cannot
/// take the server's memory.
struct RequestBody: Sendable {
    let maxBytes: Int
    let budget: BodyBudget

    func json(_ request: Request) async throws -> JSONValue {
        try await bytes(request).withUnsafeReadableBytes { bytes throws(SafelistError) in try JSONValue.parse(bytes) }
    }

    /// The body's bytes, for a route that reads them in its own way; checked as `json` checks
    /// them, but for being JSON.
    func bytes(_ request: Request) async throws -> ByteBuffer {
        guard let contentType = request.headers[.contentType], Self.isJSON(contentType) else {
            throw HTTPRefusal.unsupportedContentType
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes { throw HTTPRefusal.bodyTooLarge }
        var buffer = ByteBuffer()
        var reserved = 0
        defer { budget.release(reserved) }
        do {
            for try await chunk in request.body {
                guard buffer.readableBytes + chunk.readableBytes <= maxBytes else { throw HTTPRefusal.bodyTooLarge }
                guard budget.reserve(chunk.readableBytes) else { throw HTTPRefusal.busy }
                reserved += chunk.readableBytes
                buffer.writeImmutableBuffer(chunk)
            }
        } catch let error as HTTPRefusal {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // A framing error (a bad chunk size) or a body cut short: the client's request, not
            // the server, is at fault.
            throw SafelistError(.invalid, code: .malformedRequest, "The request body could not be read: \(Self.describe(error))")
        }
        guard buffer.readableBytes > 0 else {
            throw SafelistError(.invalid, code: .malformedJSON, "The request body is empty; a JSON object is required")
        }
        return buffer
    }

    /// The media type before any parameter, without surrounding spaces or tabs, compared
    /// ignoring ASCII case, byte by byte: Foundation's trimming and lowercasing made three
    /// strings for every write.
    static func isJSON(_ contentType: String) -> Bool {
        var utf8 = Substring(contentType).utf8
        if let semicolon = utf8.firstIndex(of: UInt8(ascii: ";")) { utf8 = utf8[..<semicolon] }
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        while let first = utf8.first, blank(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, blank(last) { utf8 = utf8.dropLast() }
        let expected = "application/json".utf8
        let lowercase: (UInt8) -> UInt8 = { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 0x20 : $0 }
        return utf8.count == expected.count && zip(utf8, expected).allSatisfy { lowercase($0) == $1 }
    }

    private static func describe(_ error: any Error) -> String {
        if let parser = error as? HTTPParserError { return "\(parser)" }
        return "the connection ended before the body did"
    }
}

/// Bytes of request bodies being read, over all connections.
final class BodyBudget: Sendable {
    private let used = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func reserve(_ bytes: Int) -> Bool {
        let after = used.add(bytes, ordering: .relaxed).newValue
        guard after > limit else { return true }
        used.subtract(bytes, ordering: .relaxed)
        return false
    }

    func release(_ bytes: Int) {
        if bytes > 0 { used.subtract(bytes, ordering: .relaxed) }
    }
}
