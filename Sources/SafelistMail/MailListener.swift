import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A TCP listener for one mail protocol, run as a service of `safelist serve`: it accepts up to
/// `maximumConnections` connections, closes one that stays silent past `idleTimeout`, and hands
/// each to `converse`, which reads decoded requests and writes answers. On graceful shutdown it
/// stops accepting, closes connections waiting for their next request, and lets each one in
/// the middle of an exchange finish it first.
public struct MailListener<Decoder: ByteToMessageDecoder>: Service where Decoder.InboundOut: Sendable {
    public typealias Inbound = Decoder.InboundOut

    let name: String
    let host: String
    let port: Int
    let options: MailOptions
    let logger: Logger
    let makeDecoder: @Sendable () -> Decoder
    let converse: @Sendable (MailConnection<Inbound>) async throws -> Void
    let onListening: @Sendable (Int) -> Void

    init(
        name: String, host: String, port: Int, options: MailOptions, logger: Logger, makeDecoder: @escaping @Sendable () -> Decoder,
        onListening: @escaping @Sendable (Int) -> Void, converse: @escaping @Sendable (MailConnection<Inbound>) async throws -> Void
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.options = options
        self.logger = logger
        self.makeDecoder = makeDecoder
        self.onListening = onListening
        self.converse = converse
    }

    public func run() async throws {
        let idle = TimeAmount(options.idleTimeout)
        let makeDecoder = makeDecoder
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let state = ConnectionState(channel: channel)
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(CloseWhenIdle(state: state))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(makeDecoder()))
                    try channel.pipeline.syncOperations.addHandler(CountReceived<Inbound>(state: state))
                    return (try NIOAsyncChannel<Inbound, ByteBuffer>(wrappingChannelSynchronously: channel), state)
                }
            }
        onListening(server.channel.localAddress?.port ?? port)
        logger.info("\(name) listening", metadata: ["address": "\(host):\(server.channel.localAddress?.port ?? port)"])
        let connections = OpenConnections()
        // Locals, not `self`: a task that captured the listener captured its decoder's type.
        let (name, logger, converse, limit) = (name, logger, converse, options.maximumConnections)
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                do {
                    try await server.executeThenClose { accepted in
                        for try await (channel, state) in accepted {
                            guard connections.open(state, limit: limit) else {
                                logger.warning("\(name): connection refused, \(limit) already open")
                                group.addTask { try? await channel.executeThenClose { _, _ in } }
                                continue
                            }
                            group.addTask {
                                await serveConnection(channel, state: state, name: name, logger: logger, converse: converse)
                                connections.close(state)
                            }
                        }
                    }
                } catch {
                    logger.error("\(name) stopped accepting connections", metadata: ["error": "\(error)"])
                }
            } onGracefulShutdown: {
                server.channel.close(promise: nil)
                connections.shutDown()
            }
        }
        logger.info("\(name) stopped")
    }

}

/// One accepted connection's conversation, then its close.
private func serveConnection<Inbound: Sendable>(
    _ channel: NIOAsyncChannel<Inbound, ByteBuffer>, state: ConnectionState, name: String, logger: Logger,
    converse: @Sendable (MailConnection<Inbound>) async throws -> Void
) async {
    let peer = channel.channel.remoteAddress.map { "\($0)" } ?? "unknown"
    do {
        try await channel.executeThenClose { inbound, outbound in
            try await converse(MailConnection(inbound: inbound, outbound: outbound, state: state, peer: peer))
        }
    } catch {
        logger.warning("\(name): connection closed on a protocol error", metadata: ["peer": "\(peer)", "error": "\(error)"])
    }
}

/// One accepted connection as a conversation sees it.
public struct MailConnection<Inbound: Sendable>: Sendable {
    let inbound: NIOAsyncChannelInboundStream<Inbound>
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let state: ConnectionState
    let peer: String

    /// Brackets one exchange (a request and its answer, or a milter message): a graceful
    /// shutdown waits for it, then closes the connection. False when the connection is closing.
    func exchange<T>(_ body: () async throws -> T) async rethrows -> T? {
        guard state.begin() else { return nil }
        defer { state.end() }
        return try await body()
    }
}

/// Whether a connection is in the middle of an exchange, for a graceful shutdown, and whether
/// Safelist owes the peer an answer, for the idle timeout.
final class ConnectionState: Sendable {
    let channel: any Channel
    private let phase = Mutex<(busy: Bool, closing: Bool)>((false, false))
    private let unhandled = Atomic<Int>(0)

    init(channel: any Channel) {
        self.channel = channel
    }

    func begin() -> Bool {
        phase.withLock { phase in
            guard !phase.closing else { return false }
            phase.busy = true
            return true
        }
    }

    func end() {
        let close = phase.withLock { phase in
            phase.busy = false
            return phase.closing
        }
        if close { channel.close(promise: nil) }
    }

    /// A request (or packet) decoded and not yet handled: the peer may be silent because it waits
    /// for Safelist, so the idle timeout does not count that time (a starved machine can take
    /// longer than the idle time to get to a request; the decision deadline bounds the rest).
    func received() { unhandled.add(1, ordering: .relaxed) }

    /// The conversation is done with one request: it answered, or needed not.
    func handled() { unhandled.subtract(1, ordering: .relaxed) }

    var owesAnswer: Bool { unhandled.load(ordering: .relaxed) > 0 }

    /// Closes the connection now if it waits for a request, else once its exchange ends.
    func shutDown() {
        let idle = phase.withLock { phase in
            phase.closing = true
            return !phase.busy
        }
        if idle { channel.close(promise: nil) }
    }
}

/// The connections a listener holds, counted against its limit.
final class OpenConnections: Sendable {
    private let open = Mutex<(states: [ObjectIdentifier: ConnectionState], closing: Bool)>(([:], false))

    func open(_ state: ConnectionState, limit: Int) -> Bool {
        open.withLock { open in
            guard !open.closing, open.states.count < limit else { return false }
            open.states[ObjectIdentifier(state)] = state
            return true
        }
    }

    func close(_ state: ConnectionState) {
        _ = open.withLock { $0.states.removeValue(forKey: ObjectIdentifier(state)) }
    }

    func shutDown() {
        let states = open.withLock { open in
            open.closing = true
            return Array(open.states.values)
        }
        for state in states { state.shutDown() }
    }
}

/// Closes a connection that sent nothing for the idle time (`IdleStateHandler`'s read event,
/// which comes again each idle time) unless Safelist has yet to handle what it sent.
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny
    let state: ConnectionState

    init(state: ConnectionState) {
        self.state = state
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case IdleStateHandler.IdleStateEvent.read = event {
            if !state.owesAnswer { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// Counts each decoded request for `ConnectionState.owesAnswer`.
private final class CountReceived<Message>: ChannelInboundHandler {
    typealias InboundIn = Message
    typealias InboundOut = Message
    let state: ConnectionState

    init(state: ConnectionState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        state.received()
        context.fireChannelRead(data)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
