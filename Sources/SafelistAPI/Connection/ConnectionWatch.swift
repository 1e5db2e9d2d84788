import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SafelistCore
import SafelistWire
import Synchronization

/// One connection's clock: which part of a request it is in, and the deadline for that part
/// (`ConnectionLimits`). Two handlers move it, because no one place in the pipeline sees both
/// raw bytes and whole requests: `RawBytesWatcher`, before the HTTP decoder, sees a request's
/// first byte; `RequestPartWatcher`, after it, sees its head and end, the response's end, and
/// protocol errors. Both run on the connection's event loop, as does every timer here.
final class ConnectionWatch {
    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry
    private let logger: Logger
    private(set) var phase = ConnectionRegistry.Phase.idle
    /// When the current phase must have ended; nil while a request is being answered.
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?
    /// The longest a timer is set ahead: the shortest limit (at least 100 ms). A new phase's
    /// deadline is then never earlier than the pending timer, so moving between phases
    /// schedules and cancels nothing; the timer, when it fires early, sets itself again. One
    /// timer per request was 2 % of a create's CPU.
    private let horizon: TimeAmount
    /// A protocol error cut the current request short: its response is the connection's last.
    var closeAfterResponse = false

    init(limits: ConnectionLimits, registry: ConnectionRegistry, logger: Logger) {
        self.limits = limits
        self.registry = registry
        self.logger = logger
        let shortest = [limits.idleTimeout, limits.headerTimeout, limits.bodyTimeout].min() ?? .seconds(1)
        horizon = .nanoseconds(max(Self.nanoseconds(shortest), 100_000_000))
    }

    func enter(_ next: ConnectionRegistry.Phase, channel: any Channel) {
        let now = NIODeadline.now()
        phase = next
        registry.update(channel, to: next, at: now)
        deadline = limit(of: next).map { now + .nanoseconds(Self.nanoseconds($0)) }
        if deadline != nil, timer == nil { arm(channel, now: now) }
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    private func limit(of phase: ConnectionRegistry.Phase) -> Duration? {
        switch phase {
        case .idle: limits.idleTimeout
        case .head: limits.headerTimeout
        case .body: limits.bodyTimeout
        case .handling: nil
        }
    }

    private func arm(_ channel: any Channel, now: NIODeadline) {
        guard let deadline else { return }
        timer = channel.eventLoop.assumeIsolated().scheduleTask(deadline: min(deadline, now + horizon)) {
            self.fire(channel)
        }
    }

    /// Closes the connection past its deadline; otherwise waits again. While a request is
    /// answered there is no deadline and no timer: the next phase sets one.
    private func fire(_ channel: any Channel) {
        timer = nil
        guard let deadline else { return }
        let now = NIODeadline.now()
        guard now >= deadline else {
            arm(channel, now: now)
            return
        }
        let what =
            switch phase {
            case .idle: "idle"
            case .head: "request head"
            case .body: "request body"
            case .handling: ""
            }
        logger.debug("closing a connection past its \(what) deadline", metadata: ["limit": "\(limit(of: phase).map { "\($0)" } ?? "")"])
        channel.close(promise: nil)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}

/// Before the HTTP decoder: registers the connection (pushing out another past the limit) and
/// starts the head deadline at a request's first byte.
final class RawBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let watch: ConnectionWatch
    private let registry: ConnectionRegistry

    init(watch: ConnectionWatch, registry: ConnectionRegistry) {
        self.watch = watch
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        watch.enter(.idle, channel: context.channel)
        if let victim = registry.opened(context.channel) { victim.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if watch.phase == .idle { watch.enter(.head, channel: context.channel) }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.stop()
        registry.closed(context.channel)
        ClosedInputs.shared.forget(context.channel)
        context.fireChannelInactive()
    }

    /// The server allows half-closed connections (it may still answer), so a client's close is
    /// first only this event.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { ClosedInputs.shared.insert(context.channel) }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Connections whose client has closed its side: a request still running on one was abandoned
/// (HTTP/1.1 clients do not half-close while they wait for an answer).
final class ClosedInputs: Sendable {
    static let shared = ClosedInputs()
    private let channels = Mutex(Set<ObjectIdentifier>())

    func insert(_ channel: any Channel) { _ = channels.withLock { $0.insert(ObjectIdentifier(channel)) } }
    func forget(_ channel: any Channel) { _ = channels.withLock { $0.remove(ObjectIdentifier(channel)) } }
    func contains(_ channel: any Channel) -> Bool { channels.withLock { $0.contains(ObjectIdentifier(channel)) } }
}

/// After the HTTP codec: moves the clock at a request's head and end and at its response's end,
/// and answers protocol errors (a malformed request line, a head over the limits, a bad chunk)
/// in the v4 envelope rather than a bare status.
final class RequestPartWatcher: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let watch: ConnectionWatch
    /// Hummingbird answers a parser error met between requests with a bare 400 of its own; once
    /// this handler has answered, that second answer is dropped.
    private var answered = false

    init(watch: ConnectionWatch) {
        self.watch = watch
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: watch.enter(.body, channel: context.channel)
        case .body: break
        case .end: watch.enter(.handling, channel: context.channel)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if answered {
            promise?.succeed()
            return
        }
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        if watch.closeAfterResponse {
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
        } else {
            watch.enter(.idle, channel: context.channel)
            context.write(data, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        switch watch.phase {
        case .idle, .head:
            // No request reached the application: this handler answers, and the connection ends.
            answered = true
            let (status, code, message) = Self.describe(parserError)
            let body = ByteBuffer(bytes: EnvelopeJSON.failure([ErrorItem(code: code, message: message)]))
            let head = HTTPResponse(
                status: status,
                headerFields: [
                    .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
                ])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.close(promise: nil)
        case .body, .handling:
            // The application is reading this request's body: it meets the error there and
            // answers 400 in the envelope; the connection closes after that answer.
            watch.closeAfterResponse = true
            context.fireErrorCaught(error)
        }
    }

    static func describe(_ error: HTTPParserError) -> (HTTPResponse.Status, ErrorCode, String) {
        switch error {
        case .headerOverflow:
            (.requestHeaderFieldsTooLarge, .headersTooLarge, "The request's head is too large: at most 80 KiB and 1,000 header fields")
        default:
            (.badRequest, .malformedRequest, "The request is not valid HTTP/1.1 (\(error))")
        }
    }
}
