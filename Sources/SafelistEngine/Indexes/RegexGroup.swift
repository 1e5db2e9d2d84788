import SafelistCore

/// Regex policies are compiled per pattern type and side, so a subject is scanned only against
/// the expressions that could grant something for it: a recipient address never runs through
/// the trusted-sender expressions. (Why DOMAIN expressions are not also compiled to run on
/// whole addresses: docs/benchmarks.md, "Tried and dropped".)
enum RegexGroup: Int, CaseIterable, Sendable {
    case senderEmail, recipientEmail, senderDomain, recipientDomain, senderIP

    /// Read on every chunk: `allCases` builds its array on every use, and a computed static is
    /// an initialisation check on every read. A test holds it to `allCases.count`.
    static let count = 5

    /// The groups a regex policy belongs to; none when it grants nothing its type can match.
    static func groups(of policy: EnginePolicy) -> [RegexGroup] {
        let sender = !policy.grants.isDisjoint(with: .senderSide)
        let recipient = policy.grants.contains(.exemptRecipient)
        var groups: [RegexGroup] = []
        switch policy.type {
        case .email:
            if sender { groups.append(.senderEmail) }
            if recipient { groups.append(.recipientEmail) }
        case .domain:
            if sender { groups.append(.senderDomain) }
            if recipient { groups.append(.recipientDomain) }
        case .ip:
            if sender { groups.append(.senderIP) }
        case .unknown:
            break
        }
        return groups
    }
}
