/// One authentication check's result, as an MTA records it (RFC 8601 names).
public enum AuthResult: String, Sendable, CaseIterable {
    case pass, fail, softfail, neutral, none, temperror, permerror, policy
}

/// One check: its result, and the domain it speaks for when that is known (SPF: the MAIL FROM
/// domain, or the HELO name for the null sender; DKIM: the signature's `d=`; DMARC: the From
/// domain). A check without a domain is the plain form: SPF's then means the envelope_from
/// domain, DMARC's the header_from domain, and DKIM's no domain at all.
public struct AuthCheck: Sendable, Equatable {
    public var result: AuthResult
    /// Lowercase ASCII, no trailing dot.
    public var domain: String?

    public init(_ result: AuthResult, domain: String? = nil) {
        self.result = result
        self.domain = domain
    }
}

/// What a message's authentication checks found, as given in `auth` and read from trusted
/// `Authentication-Results` headers.
public struct AuthResults: Sendable, Equatable {
    public var spf: [AuthCheck]
    /// One per signature.
    public var dkim: [AuthCheck]
    public var dmarc: [AuthCheck]

    public init(spf: [AuthCheck] = [], dkim: [AuthCheck] = [], dmarc: [AuthCheck] = []) {
        self.spf = spf
        self.dkim = dkim
        self.dmarc = dmarc
    }

    /// The plain form, one result each; `none` means not given.
    public init(spf: AuthResult, dkim: AuthResult = .none, dmarc: AuthResult = .none) {
        self.init(
            spf: spf == .none ? [] : [AuthCheck(spf)], dkim: dkim == .none ? [] : [AuthCheck(dkim)],
            dmarc: dmarc == .none ? [] : [AuthCheck(dmarc)])
    }

    /// The spec's test for a match on the connection or a recipient: some check passed.
    public var passesAny: Bool {
        spf.contains { $0.result == .pass } || dkim.contains { $0.result == .pass } || dmarc.contains { $0.result == .pass }
    }

}
