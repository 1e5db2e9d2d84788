import SafelistEngine

/// The readable form of an evaluation that `safelist evaluate` prints.
struct EvaluationReport {
    let evaluation: Evaluation
    let message: MailMessage

    var text: String {
        var lines: [String] = []
        if evaluation.matches.isEmpty {
            lines.append("No policy matches this message.")
        } else {
            lines.append("Matching policies (\(evaluation.matches.count)):")
            for match in evaluation.matches {
                let kind = match.policy.type.rawValue + (match.policy.isRegex ? " regex" : "")
                let subject = match.role.name + (match.role.index.map { "[\($0)]" } ?? "")
                let grants = match.grants.names.joined(separator: ", ")
                let verdict = match.honored ? "honored: \(grants)" : "NOT honored (\(match.reason(in: message) ?? "")); would grant \(grants)"
                lines.append("  \(kind) \(match.policy.pattern)  [policy \(match.policy.id)]")
                lines.append("    matched \(subject) = \(match.value); \(verdict)")
            }
        }
        lines.append("Effects:")
        lines.append("  trusted sender:    \(evaluation.trustedSender ? "yes (bypasses all detections)" : "no")")
        lines.append("  acceptable sender: \(evaluation.acceptableSender ? "yes (SPAM, SPOOF, BULK cleared)" : "no")")
        let exempt = evaluation.exemptRecipients.map { message.recipients[$0].address }
        lines.append("  exempt recipients: \(exempt.isEmpty ? "none" : exempt.joined(separator: ", "))")
        if let given = message.disposition, let final = evaluation.disposition {
            lines.append("  disposition:       \(given.rawValue) -> \(final.rawValue)")
            for (index, recipient) in message.recipients.enumerated() {
                if let each = evaluation.recipientDispositions?[index], each != final {
                    lines.append("    \(recipient.address): \(each.rawValue)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
