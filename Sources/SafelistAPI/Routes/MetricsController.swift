import HTTPTypes
import Hummingbird
import NIOCore
import SafelistCore

/// Who may read `/metrics`.
public enum MetricsAccess: String, Sendable, CaseIterable {
    /// Clients on the loopback interface only, without credentials (the default): a Prometheus
    /// agent on the same host, or a sidecar.
    case loopback
    /// Anyone who reaches the port, without credentials: for a port only the monitoring network reaches.
    case open
    /// Any valid token or key, as for the API.
    case token
}

/// `/metrics` as the server exposes it: who may read it, and the text it renders
/// (Prometheus's exposition format, from the registry the composition root made).
public struct MetricsEndpoint: Sendable {
    public var access: MetricsAccess
    let render: @Sendable () -> [UInt8]

    public init(access: MetricsAccess, render: @escaping @Sendable () -> [UInt8]) {
        self.access = access
        self.render = render
    }
}

/// `GET /metrics`, in Prometheus's text format.
struct MetricsController: Sendable {
    static let path = "/metrics"
    let endpoint: MetricsEndpoint

    func register(on router: Router<SafelistRequestContext>) {
        router.get("metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: SafelistRequestContext) throws -> Response {
        if endpoint.access == .loopback, !Self.isLoopback(context.channel.remoteAddress) {
            throw SafelistError(
                .unauthorized, code: .unauthorized, "/metrics is served to loopback clients only (--metrics-access loopback)")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: endpoint.render())))
    }

    /// 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6.
    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let text = address?.ipAddress else { return false }
        if text.hasPrefix("::ffff:") { return text.dropFirst(7).hasPrefix("127.") }
        return text.hasPrefix("127.") || text == "::1"
    }
}
