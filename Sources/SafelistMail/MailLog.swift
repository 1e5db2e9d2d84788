import Logging
import SafelistEngine

/// The one info line each mail decision logs: who, what matched, the verdict, how long.
enum MailLog {
    static func metadata(
        _ message: MailMessage, _ evaluation: Evaluation?, verdict: String, since started: ContinuousClock.Instant, queueID: String?
    ) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "verdict": "\(verdict)",
            "sender": "\(message.envelopeFrom?.address ?? "<>")",
            "recipients": "\(message.recipients.map(\.address).joined(separator: ","))",
            "client": "\(message.clientIP.map { "\($0)" } ?? "unknown")",
            "micros": "\((ContinuousClock.now - started) / .microseconds(1))",
        ]
        if let queueID { metadata["queue_id"] = "\(queueID)" }
        if let evaluation {
            metadata["matched"] =
                "\(evaluation.matches.map { "\($0.policy.id) \($0.role.label)\($0.honored ? "" : " unverified")" }.joined(separator: ", "))"
        } else {
            metadata["matched"] = "no decision (deadline or store error)"
        }
        return metadata
    }
}
