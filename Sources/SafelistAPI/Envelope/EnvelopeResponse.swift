import HTTPTypes
import Hummingbird
import NIOCore
import SafelistCore
import SafelistWire

/// Responses in Cloudflare's v4 envelope.
enum EnvelopeResponse {
    static let shouldRetry = HTTPField.Name("x-should-retry")

    static func success(
        _ result: some JSONWritable, status: HTTPResponse.Status = .ok, messages: [ErrorItem] = [], info: ResultInfo? = nil
    ) -> Response {
        json(EnvelopeJSON.success(result, messages: messages, info: info), status: status)
    }

    static func failure(_ errors: [ErrorItem], status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var response = json(EnvelopeJSON.failure(errors), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    private static func json(_ data: [UInt8], status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
