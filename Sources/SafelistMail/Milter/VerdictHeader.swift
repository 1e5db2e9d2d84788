import SafelistEngine

/// The `X-Safelist-Verdict` header the milter adds, one line of `key=value` pairs separated by
/// `; ` (docs/mail.md, "The verdict header"), for downstream filters to match:
///
///     X-Safelist-Verdict: sender=trusted; exempt=none; policies=<id>:envelope_from:honored
///
/// - `sender`: `trusted`, `acceptable` or `none`: the sender-side effect of the honoured matches.
/// - `exempt`: `all`, `none`, or `N/M`: how many of the message's M recipients are exempt. No
///   recipient address is named: every recipient receives the header (a Bcc would leak).
/// - `policies`: each match, `id:subject:honored` or `id:subject:unverified` (a `verify_sender`
///   policy whose identity was not authenticated), at most `maximumPolicies`, then `+N`.
enum VerdictHeader {
    static let name = "X-Safelist-Verdict"
    static let maximumPolicies = 8

    static func value(_ evaluation: Evaluation, recipientCount: Int) -> String {
        let sender = evaluation.trustedSender ? "trusted" : (evaluation.acceptableSender ? "acceptable" : "none")
        let exemptCount = evaluation.exemptRecipients.count
        let exempt =
            exemptCount == 0 ? "none" : (exemptCount == recipientCount ? "all" : "\(exemptCount)/\(recipientCount)")
        var parts = ["sender=\(sender)", "exempt=\(exempt)"]
        if !evaluation.matches.isEmpty {
            var policies = evaluation.matches.prefix(maximumPolicies).map {
                "\($0.policy.id):\($0.role.name):\($0.honored ? "honored" : "unverified")"
            }
            if evaluation.matches.count > maximumPolicies { policies.append("+\(evaluation.matches.count - maximumPolicies)") }
            parts.append("policies=" + policies.joined(separator: ","))
        }
        return parts.joined(separator: "; ")
    }
}
