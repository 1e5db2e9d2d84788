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
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(CloseWhenIdle())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(makeDecoder()))
                    return try NIOAsyncChannel<Inbound, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        onListening(server.channel.localAddress?.port ?? port)
        logger.info("\(name) listening", metadata: ["address": "\(host):\(server.channel.localAddress?.port ?? port)"])
        let connections = OpenConnections()
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                do {
                    try await server.executeThenClose { accepted in
                        for try await channel in accepted {
                            guard let state = connections.open(channel.channel, limit: options.maximumConnections) else {
                                logger.warning("\(name): connection refused, \(options.maximumConnections) already open")
                                channel.outbound.finish()
                                channel.channel.close(promise: nil)
                                continue
                            }
                            group.addTask {
                                await self.serve(channel, state: state)
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

    private func serve(_ channel: NIOAsyncChannel<Inbound, ByteBuffer>, state: ConnectionState) async {
        let peer = channel.channel.remoteAddress.map { "\($0)" } ?? "unknown"
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await converse(MailConnection(inbound: inbound, outbound: outbound, state: state, peer: peer))
            }
        } catch {
            logger.warning("\(name): connection closed on a protocol error", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
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

/// Whether a connection is in the middle of an exchange, for a graceful shutdown.
final class ConnectionState: Sendable {
    let channel: any Channel
    private let phase = Mutex<(busy: Bool, closing: Bool)>((false, false))

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

    func open(_ channel: any Channel, limit: Int) -> ConnectionState? {
        let state = ConnectionState(channel: channel)
        let admitted = open.withLock { open in
            guard !open.closing, open.states.count < limit else { return false }
            open.states[ObjectIdentifier(state)] = state
            return true
        }
        return admitted ? state : nil
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

/// Closes a connection that sent nothing for the idle time (`IdleStateHandler`'s read event).
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case IdleStateHandler.IdleStateEvent.read = event {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
