import Foundation
import Hummingbird
import NIOCore
import SafelistCore

/// Reads a JSON request body: the content type must be JSON, the size under the limit, the
/// bytes valid JSON. Each failure has its own code and status.
enum RequestBody {
    static let tooLarge = SafelistError(.bodyTooLarge, code: ErrorCode.bodyTooLarge, "The request body is too large")

    static func json(_ request: Request, limit: Int) async throws -> JSONValue {
        guard let contentType = request.headers[.contentType], isJSON(contentType) else {
            throw SafelistError(.unsupportedContentType, code: ErrorCode.unsupportedContentType,
                                "The request body must be sent as Content-Type: application/json")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        guard buffer.readableBytes > 0 else {
            throw SafelistError(.malformedJSON, code: ErrorCode.malformedJSON, "The request body is empty; a JSON object is required")
        }
        return try JSONValue.parse(Data(buffer: buffer))
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
