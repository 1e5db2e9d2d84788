import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /openapi.json`: `OpenAPIDocument`, without credentials (it describes the API, it holds
/// no data), encoded once.
struct OpenAPIController: Sendable {
    static let path = "/openapi.json"
    private static let body = ByteBuffer(string: OpenAPIDocument.json)

    func register(on router: Router<SafelistRequestContext>) {
        router.get("openapi.json", use: document)
    }

    @Sendable func document(_ request: Request, context: SafelistRequestContext) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: Self.body))
    }
}
