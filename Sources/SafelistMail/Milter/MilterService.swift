import Logging
import NIOCore
import ServiceLifecycle

/// `serve --milter HOST:PORT`: the milter protocol, version 6, one `MilterSession` per
/// connection. Each message's end is answered within the decision deadline; past it (or on a
/// store error) the message goes on without a verdict, incoming `X-Safelist-*` headers still
/// stripped. Garbage closes the connection; Postfix then applies `milter_default_action`.
public enum MilterService {
    public static func listener(
        host: String, port: Int, decisions: MailDecisions, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> some Service {
        MailListener(
            name: "Milter", host: host, port: port, options: decisions.options, logger: logger,
            makeDecoder: { MilterPacketDecoder() }, onListening: onListening
        ) { connection in
            var session = MilterSession(options: decisions.options)
            var inMessage = false
            for try await packet in connection.inbound {
                defer { connection.state.handled() }
                let command = try MilterCommand(packet)
                // A message, from MAIL to its end, is one exchange: a graceful shutdown lets it finish.
                if case .mail = command, !inMessage {
                    guard connection.state.begin() else { return }
                    inMessage = true
                }
                switch try session.step(command) {
                case .reply(let replies):
                    for reply in replies { try await connection.outbound.write(reply.packet.bytes) }
                case .close:
                    return
                case .evaluate:
                    let started = ContinuousClock.now
                    let (message, notes) = session.message()
                    let evaluation = await decisions.evaluate(message, logger: logger)
                    let verdict = evaluation.map { VerdictHeader.value($0, recipientCount: message.recipients.count) }
                    var buffer = ByteBuffer()
                    for reply in session.finish(verdict: verdict) { buffer.writeImmutableBuffer(reply.packet.bytes) }
                    try await connection.outbound.write(buffer)
                    var metadata = MailLog.metadata(
                        message, evaluation, verdict: verdict ?? "none given", since: started, queueID: session.macros["i"])
                    if !notes.isEmpty { metadata["notes"] = "\(notes.joined(separator: "; "))" }
                    logger.info("milter verdict", metadata: metadata)
                }
                if inMessage, Self.endsMessage(command) {
                    inMessage = false
                    connection.state.end()
                }
            }
            if inMessage { connection.state.end() }
        }
    }

    private static func endsMessage(_ command: MilterCommand) -> Bool {
        switch command {
        case .endOfMessage, .abort, .quit, .quitNewConnection: true
        default: false
        }
    }
}
