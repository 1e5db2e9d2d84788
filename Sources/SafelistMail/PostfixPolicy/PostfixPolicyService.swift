import Logging
import NIOCore
import ServiceLifecycle

/// `serve --postfix-policy HOST:PORT`: Postfix's policy delegation (`check_policy_service`),
/// one `PolicyConversation` per connection, one answer per request, each within the decision
/// deadline, and one log line per RCPT decision.
public enum PostfixPolicyService {
    public static func listener(
        host: String, port: Int, decisions: MailDecisions, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> some Service {
        MailListener(
            name: "Postfix policy service", host: host, port: port, options: decisions.options, logger: logger,
            makeDecoder: { PolicyRequestDecoder() }, onListening: onListening
        ) { connection in
            var conversation = PolicyConversation(options: decisions.options)
            for try await request in connection.inbound {
                defer { connection.state.handled() }
                let answered: Void? = try await connection.exchange {
                    let started = ContinuousClock.now
                    let answer = try await conversation.answer(request) { await decisions.evaluate($0, logger: logger) }
                    try await connection.outbound.write(ByteBuffer(string: "action=\(answer.action)\n\n"))
                    if let message = answer.message {
                        logger.info(
                            "policy decision",
                            metadata: MailLog.metadata(
                                message, answer.evaluation, verdict: answer.action, since: started, queueID: request.value("queue_id")))
                    }
                }
                if answered == nil { break }
            }
        }
    }
}
