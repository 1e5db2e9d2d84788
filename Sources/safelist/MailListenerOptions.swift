import ArgumentParser
import SafelistCore
import SafelistMail
import SafelistServer

/// `serve`'s mail listener flags (docs/mail.md).
struct MailListenerOptions: ParsableArguments {
    @Option(help: "The account whose policies apply to mail; required with --postfix-policy or --milter (env SAFELIST_MAIL_ACCOUNT).")
    var mailAccount: String?

    @Option(help: "Serve Postfix policy delegation on HOST:PORT (env SAFELIST_POSTFIX_POLICY; default off).")
    var postfixPolicy: String?

    @Option(help: "Serve the milter protocol on HOST:PORT (env SAFELIST_MILTER; default off).")
    var milter: String?

    @Option(help: "The policy service's answer for a trusted sender or an exempt recipient (env SAFELIST_POSTFIX_POLICY_PERMIT_ACTION; default OK).")
    var postfixPolicyPermitAction: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Defer recipients whose exemption differs from the transaction's first recipient's, so each queued copy has one class (default on).")
    var postfixPolicySplitRecipients = true

    @Option(
        help: "Seconds a mail decision may take before it is given up: DUNNO, or no verdict header (env SAFELIST_MAIL_DECISION_TIMEOUT; default 2).")
    var mailDecisionTimeout: Double?

    @Option(help: "Seconds a mail connection may stay silent before it is closed (env SAFELIST_MAIL_IDLE_TIMEOUT; default 330).")
    var mailIdleTimeout: Double?

    @Option(help: "Connections each mail listener holds at most; one more is closed at once (env SAFELIST_MAIL_MAX_CONNECTIONS; default 1024).")
    var mailMaxConnections: Int?

    /// Nil when no mail listener is asked for.
    func configuration(trustedAuthservIDs: Set<String>) throws -> MailConfiguration? {
        let policy = postfixPolicy ?? Environment.value("SAFELIST_POSTFIX_POLICY")
        let milter = milter ?? Environment.value("SAFELIST_MILTER")
        guard policy != nil || milter != nil else { return nil }
        guard let accountText = mailAccount ?? Environment.value("SAFELIST_MAIL_ACCOUNT") else {
            throw ValidationError("--mail-account is required with --postfix-policy or --milter: the account whose policies apply to mail")
        }
        guard let account = AccountID(accountText) else {
            throw ValidationError("--mail-account must be an account id: 32 lowercase hexadecimal characters, not '\(accountText)'")
        }
        var options = MailOptions(account: account)
        options.trustedAuthservIDs = trustedAuthservIDs
        options.splitMixedRecipients = postfixPolicySplitRecipients
        if let action = postfixPolicyPermitAction ?? Environment.value("SAFELIST_POSTFIX_POLICY_PERMIT_ACTION") {
            guard !action.isEmpty, !action.contains(where: \.isNewline) else {
                throw ValidationError("--postfix-policy-permit-action must be one line of an access(5) action, such as OK")
            }
            options.permitAction = action
        }
        if let seconds = try mailDecisionTimeout ?? Environment.double("SAFELIST_MAIL_DECISION_TIMEOUT") {
            options.decisionTimeout = try DurationFlag.value(seconds, "--mail-decision-timeout")
        }
        if let seconds = try mailIdleTimeout ?? Environment.double("SAFELIST_MAIL_IDLE_TIMEOUT") {
            options.idleTimeout = try DurationFlag.value(seconds, "--mail-idle-timeout")
        }
        if let count = try mailMaxConnections ?? Environment.integer("SAFELIST_MAIL_MAX_CONNECTIONS") {
            guard count >= 1 else { throw ValidationError("--mail-max-connections must be at least 1") }
            options.maximumConnections = count
        }
        var configuration = MailConfiguration(options: options)
        configuration.postfixPolicy = try policy.map { try Self.address($0, "--postfix-policy") }
        configuration.milter = try milter.map { try Self.address($0, "--milter") }
        return configuration
    }

    private static func address(_ text: String, _ flag: String) throws -> ListenAddress {
        guard let address = ListenAddress(text) else { throw ValidationError("\(flag) must be HOST:PORT, such as 127.0.0.1:10040, not '\(text)'") }
        return address
    }
}
