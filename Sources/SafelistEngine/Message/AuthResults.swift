/// One authentication check's result, as an MTA records it (RFC 8601 names).
public enum AuthResult: String, Sendable, CaseIterable {
    case pass, fail, softfail, neutral, none, temperror, permerror
}

public struct AuthResults: Sendable, Equatable {
    public var spf: AuthResult
    public var dkim: AuthResult
    public var dmarc: AuthResult

    public init(spf: AuthResult = .none, dkim: AuthResult = .none, dmarc: AuthResult = .none) {
        self.spf = spf
        self.dkim = dkim
        self.dmarc = dmarc
    }

    /// The spec's test for `verify_sender`: DMARC, SPF or DKIM passed.
    public var verifiesSender: Bool { dmarc == .pass || spf == .pass || dkim == .pass }
}
