import SafelistCore
import SafelistEngine

/// How the mail listeners decide and how long they wait: filled from `safelist serve`'s flags.
public struct MailOptions: Sendable {
    /// The account whose policies apply to the mail the listeners see.
    public var account: AccountID
    /// `Authentication-Results` headers the milter trusts, by authserv-id (normalized).
    public var trustedAuthservIDs: Set<String> = [] {
        didSet { trustedAuthservIDs = Set(trustedAuthservIDs.map { TrustedAuthentication.normalize(authservID: $0) }) }
    }
    /// What the policy service answers for a trusted sender or an exempt recipient.
    public var permitAction = "OK"
    /// Defer recipients whose exemption differs from the transaction's first recipient's.
    public var splitMixedRecipients = true
    /// An answer is given within this, whatever the store does: `DUNNO`, or for the milter the
    /// message continues without a verdict.
    public var decisionTimeout: Duration = .seconds(2)
    /// A connection that sends nothing for this long is closed. Above Postfix's own idle time for
    /// policy connections (`smtpd_policy_service_max_idle`, 300 s), so Postfix closes them first.
    public var idleTimeout: Duration = .seconds(330)
    /// Connections held at once, per listener; one more is closed at once.
    public var maximumConnections = 1024

    public init(account: AccountID) {
        self.account = account
    }
}
