import Logging
import Metrics
import SafelistCore
import SafelistEngine

/// The engine as the mail listeners ask it: one account's policies, one message at a time,
/// within the decision deadline.
public struct MailDecisions: Sendable {
    /// Nil: the protocol loop alone (`protocolOnly`).
    let engine: PolicyEngine?
    let options: MailOptions
    private let decisions: [String: Counter]

    public init(engine: PolicyEngine, options: MailOptions) {
        self.engine = engine
        self.options = options
        decisions = Self.counters()
    }

    private init(options: MailOptions) {
        engine = nil
        self.options = options
        decisions = Self.counters()
    }

    private static func counters() -> [String: Counter] {
        Dictionary(
            uniqueKeysWithValues: ["match", "no_match", "no_decision"].map {
                ($0, Counter(label: "safelist_mail_decisions_total", dimensions: [("outcome", $0)]))
            })
    }

    /// Decides nothing, without asking the engine: what the listeners' protocol loops cost
    /// alone (`DUNNO`, continue), the mail benchmark's baseline.
    public static func protocolOnly(options: MailOptions) -> MailDecisions { MailDecisions(options: options) }

    /// The evaluation of `message`, or nil when it took longer than the deadline or the store
    /// failed: a mail listener never holds mail for Safelist's sake.
    func evaluate(_ message: MailMessage, logger: Logger) async -> Evaluation? {
        guard let engine else { return nil }
        let account = options.account
        // A loaded account answers in microseconds: only a load from the store needs the deadline.
        if let snapshot = engine.publishedSnapshot(for: account) {
            return record(engine.counted([snapshot.evaluate(PreparedMessage(message))]).first)
        }
        let outcome = await Deadline.run(within: options.decisionTimeout) {
            try await engine.evaluate(account: account, messages: [PreparedMessage(message)]).first
        }
        switch outcome {
        case .finished(let evaluation):
            return record(evaluation)
        case .failed(let error):
            logger.error("Evaluation failed, no decision", metadata: ["error": "\(error)"])
            return record(nil)
        case .timedOut:
            logger.warning("Evaluation took longer than the decision deadline, no decision", metadata: ["deadline": "\(options.decisionTimeout)"])
            return record(nil)
        }
    }

    /// Counts the decision by outcome (`match`, `no_match`, `no_decision`) for the metrics.
    private func record(_ evaluation: Evaluation?) -> Evaluation? {
        let outcome = evaluation.map { $0.matches.isEmpty ? "no_match" : "match" } ?? "no_decision"
        decisions[outcome]?.increment()
        return evaluation
    }
}
