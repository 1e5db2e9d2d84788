import HTTPTypes
import Hummingbird
import NIOCore
import SafelistCore
import SafelistWire

/// `GET /healthz` (the process answers) and `GET /readyz` (it can serve: see `Readiness`), for
/// load balancers, Kubernetes probes and test harnesses. Both are unauthenticated and answered
/// as plain JSON, not in the v4 envelope: a probe reads the status code.
struct HealthController: Sendable {
    /// The paths `AuthMiddleware` lets through without credentials.
    static let paths: Set<String> = ["/healthz", "/readyz"]

    let readiness: Readiness

    func register(on router: Router<SafelistRequestContext>) {
        router.get("healthz", use: health)
        router.get("readyz", use: ready)
    }

    @Sendable func health(_ request: Request, context: SafelistRequestContext) -> Response {
        Self.json(.ok) { writer in
            writer.key("status")
            writer.string("ok")
            writer.key("version")
            writer.string(SafelistVersion.current)
        }
    }

    @Sendable func ready(_ request: Request, context: SafelistRequestContext) async -> Response {
        let checks = await readiness.check()
        let ready = checks.allSatisfy(\.ok)
        return Self.json(ready ? .ok : .serviceUnavailable) { writer in
            writer.key("status")
            writer.string(ready ? "ready" : "not ready")
            writer.key("version")
            writer.string(SafelistVersion.current)
            writer.key("checks")
            writer.object { object in
                for check in checks {
                    object.key(check.name)
                    object.object { fields in
                        fields.key("ok")
                        fields.bool(check.ok)
                        fields.key("detail")
                        fields.string(check.detail)
                    }
                }
            }
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ body: (inout JSONWriter) -> Void) -> Response {
        var writer = JSONWriter(capacity: 256)
        writer.object(body)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        // A probe must see the state now, not a cached answer.
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}
