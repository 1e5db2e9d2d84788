import SafelistCore

/// Whether a `verify_sender` policy's match is honored (docs/engine-semantics.md, "Sender
/// verification"). A match on an address (envelope_from, header_from, reply_to) needs a passing
/// result that authenticates a domain aligned with that address's domain: SPF's MAIL FROM domain
/// (the HELO name for the null sender), a DKIM signature's `d=`, DMARC's From domain. An
/// attacker whose own domain passes SPF cannot borrow a partner's name in `From:`. A match on the
/// connection (client IP or host name) or on a recipient needs the message to pass any check.
enum SenderVerification {
    /// Whether the match is honored.
    static func verified(_ role: SubjectRole, in message: MailMessage, suffixes: PublicSuffixList) -> Bool {
        guard let domain = addressDomain(role, in: message) else { return message.auth.passesAny }
        return isAuthenticated(domain, by: message.auth, in: message, suffixes: suffixes)
    }

    /// Why a match that is not honored is not, naming the identity and the results seen.
    static func reason(_ role: SubjectRole, in message: MailMessage) -> String {
        guard let domain = addressDomain(role, in: message) else {
            return "\(role.label): the message passed none of SPF, DKIM or DMARC (\(seen(message.auth, message: message)))"
        }
        return "\(role.label) \(domain): \(seen(message.auth, message: message, for: domain))"
    }

    /// Whether a passing result authenticates a domain aligned with `domain`. Runs for every
    /// verified match, so it looks names up in place rather than collecting them.
    private static func isAuthenticated(_ domain: Substring, by auth: AuthResults, in message: MailMessage, suffixes: PublicSuffixList) -> Bool {
        for check in auth.spf where check.result == .pass {
            if let checked = spfDomain(check, message), suffixes.aligned(checked, domain) { return true }
        }
        for check in auth.dkim where check.result == .pass {
            if let checked = check.domain, suffixes.aligned(checked, domain) { return true }
        }
        for check in auth.dmarc where check.result == .pass {
            if let checked = dmarcDomain(check, message), suffixes.aligned(checked, domain) { return true }
        }
        return false
    }

    /// The domain of the address the match was on; nil for the connection and recipients.
    private static func addressDomain(_ role: SubjectRole, in message: MailMessage) -> Substring? {
        switch role {
        case .envelopeFrom: message.envelopeFrom?.domain
        case .headerFrom(let index): message.headerFrom[index].domain
        case .replyTo(let index): message.replyTo[index].domain
        case .clientHostname, .clientIP, .recipient: nil
        }
    }

    /// The domain SPF checked: the one the check names, else the envelope sender's, else (the
    /// null sender) the HELO name, which a message carries as `client_hostname`.
    private static func spfDomain(_ check: AuthCheck, _ message: MailMessage) -> Substring? {
        check.domain.map { $0[...] } ?? message.envelopeFrom?.domain ?? message.clientHostname.map { $0[...] }
    }

    /// The domain DMARC checked: the one the check names, else the From domain when the From
    /// header names exactly one domain.
    private static func dmarcDomain(_ check: AuthCheck, _ message: MailMessage) -> Substring? {
        if let domain = check.domain { return domain[...] }
        guard let first = message.headerFrom.first?.domain else { return nil }
        return message.headerFrom.dropFirst().allSatisfy({ $0.domain == first }) ? first : nil
    }

    /// "SPF pass is for evil.example, not aligned; no DKIM signature; DMARC fail".
    private static func seen(_ auth: AuthResults, message: MailMessage, for address: Substring? = nil) -> String {
        func describe(_ name: String, _ checks: [AuthCheck], none: String, domain: (AuthCheck) -> Substring?) -> String {
            guard !checks.isEmpty else { return none }
            return checks.map { check in
                let checked = domain(check)
                if check.result == .pass {
                    guard let checked else { return "\(name) pass names no domain" }
                    return address == nil ? "\(name) pass for \(checked)" : "\(name) pass is for \(checked), not aligned"
                }
                return "\(name) \(check.result.rawValue)" + (checked.map { " for \($0)" } ?? "")
            }.joined(separator: ", ")
        }
        return [
            describe("SPF", auth.spf, none: "no SPF result") { spfDomain($0, message) },
            describe("DKIM", auth.dkim, none: "no DKIM signature") { $0.domain?[...] },
            describe("DMARC", auth.dmarc, none: "no DMARC result") { dmarcDomain($0, message) },
        ].joined(separator: "; ")
    }
}

extension SubjectRole {
    /// `header_from[1]`, `client_ip`: how a reason names the subject.
    public var label: String { name + (index.map { "[\($0)]" } ?? "") }
}
