import SafelistCore

/// The envelope of one message as the engine sees it (../shared/spec/engine-semantics.md), with
/// every name already in matching form: lowercase, no trailing dot, domains in ASCII.
public struct MailMessage: Sendable, Equatable {
    /// Empty for the null sender (`MAIL FROM:<>`).
    public var envelopeFrom: EmailSubject?
    public var headerFrom: EmailSubject?
    public var replyTo: [EmailSubject]
    public var recipients: [EmailSubject]
    public var clientIP: IPBlock?
    /// Canonical text of `clientIP`, what IP regexes are matched against.
    public var clientIPText: String?
    public var clientHostname: String?
    public var auth: AuthResults
    public var disposition: Disposition?

    public init(
        envelopeFrom: EmailSubject?, headerFrom: EmailSubject? = nil, replyTo: [EmailSubject] = [],
        recipients: [EmailSubject], clientIP: IPBlock? = nil, clientHostname: String? = nil,
        auth: AuthResults = .init(), disposition: Disposition? = nil
    ) {
        self.envelopeFrom = envelopeFrom
        self.headerFrom = headerFrom
        self.replyTo = replyTo
        self.recipients = recipients
        self.clientIP = clientIP
        clientIPText = clientIP?.description
        self.clientHostname = clientHostname
        self.auth = auth
        self.disposition = disposition
    }

    /// The sender addresses in subject order: envelope_from, header_from, then each reply_to.
    var senderCount: Int { 2 + replyTo.count }

    func sender(_ index: Int) -> EmailSubject? {
        switch index {
        case 0: envelopeFrom
        case 1: headerFrom
        default: replyTo[index - 2]
        }
    }

    static func senderRole(_ index: Int) -> SubjectRole {
        switch index {
        case 0: .envelopeFrom
        case 1: .headerFrom
        default: .replyTo(index - 2)
        }
    }
}

/// An address in matching form, with where its domain starts.
public struct EmailSubject: Sendable, Equatable {
    public let address: String
    /// UTF-8 offset of the domain (after the last `@`).
    let domainOffset: Int

    public var domain: Substring {
        let utf8 = address.utf8
        return Substring(utf8[utf8.index(utf8.startIndex, offsetBy: domainOffset)...])
    }

    /// The address in a header value, which may wrap it as `Display Name <address>`.
    public init?(header value: String) {
        var text = value
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            text = String(text[text.index(after: open)..<close])
        }
        self.init(text.trimmingASCIISpaces)
    }

    /// Normalises an address as the spec says names are compared: lowercase, one trailing dot
    /// removed, the domain in its ASCII (punycode) form. Most addresses are already in that
    /// form; they are kept as they are, without a copy.
    public init?(_ text: String) {
        guard let at = text.utf8.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = text.utf8[..<at]
        let domain = text.utf8[text.utf8.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }), domain.last != UInt8(ascii: ".") {
            address = text
            domainOffset = local.count + 1
            return
        }
        guard let ascii = MatchingName.normalize(String(Substring(domain))) else { return nil }
        let lowerLocal = String(Substring(local)).lowercased()
        address = lowerLocal + "@" + ascii
        domainOffset = lowerLocal.utf8.count + 1
    }
}

/// Host and domain names in matching form.
public enum MatchingName {
    public static func normalize(_ text: String) -> String? {
        var name = text
        if name.utf8.last == UInt8(ascii: ".") { name.removeLast() }
        guard !name.isEmpty else { return nil }
        if name.utf8.allSatisfy({ $0 < 0x80 }) { return name.lowercased() }
        // Internationalised: the ASCII form when the name is valid, else lowercase as given
        // (it then matches only regexes written for it).
        return DomainName.asciiForm(name) ?? name.lowercased()
    }
}

/// Where a matched value came from.
public enum SubjectRole: Sendable, Hashable {
    case envelopeFrom, headerFrom, replyTo(Int), clientHostname, clientIP, recipient(Int)

    public var name: String {
        switch self {
        case .envelopeFrom: "envelope_from"
        case .headerFrom: "header_from"
        case .replyTo: "reply_to"
        case .clientHostname: "client_hostname"
        case .clientIP: "client_ip"
        case .recipient: "recipients"
        }
    }

    public var index: Int? {
        switch self {
        case .replyTo(let index), .recipient(let index): index
        default: nil
        }
    }
}

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

public enum Disposition: String, Sendable, CaseIterable {
    case malicious = "MALICIOUS"
    case maliciousBEC = "MALICIOUS-BEC"
    case suspicious = "SUSPICIOUS"
    case spoof = "SPOOF"
    case spam = "SPAM"
    case bulk = "BULK"
    case none = "NONE"

    /// What an acceptable sender clears; the malicious verdicts stay.
    var clearedByAcceptableSender: Bool { self == .spam || self == .spoof || self == .bulk }
}
