import Foundation
import Hummingbird
import NIOCore
import SafelistCore
import SafelistWire

/// Reads a JSON request body: the content type must be JSON, the size under the limit, the
/// bytes valid JSON. Each failure has its own code and status.
enum RequestBody {
    static func json(_ request: Request, limit: Int) async throws -> JSONValue {
        guard let contentType = request.headers[.contentType], isJSON(contentType) else {
            throw HTTPRefusal.unsupportedContentType
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw HTTPRefusal.bodyTooLarge }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw HTTPRefusal.bodyTooLarge
        }
        guard buffer.readableBytes > 0 else {
            throw SafelistError(.invalid, code: .malformedJSON, "The request body is empty; a JSON object is required")
        }
        return try JSONValue.parse(Data(buffer: buffer))
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
