import SafelistCore
import SafelistEngine

/// What both listeners read about the connecting client, in matching form.
enum ConnectionFacts {
    /// A client address as Postfix gives it; nil for anything but one IPv4 or IPv6 address
    /// (`unknown`, a block, a name in brackets).
    static func ip(_ text: String?) -> IPBlock? {
        guard var text, !text.isEmpty, !text.contains("/") else { return nil }
        if text.hasPrefix("IPv6:") { text = String(text.dropFirst(5)) }
        return try? IPBlock.parse(text)
    }

    /// The client's verified name; nil for Postfix's `unknown` and for a bracketed address (what
    /// the milter's connect carries when there is no name). The unverified PTR name and HELO
    /// are not matched: anyone can claim them.
    static func hostname(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text.lowercased() != "unknown", !text.hasPrefix("[") else { return nil }
        return MatchingName.normalize(text)
    }

    /// An envelope address (`<a@b>` or bare, as Postfix gives it); nil for the null sender or
    /// anything that is not an address.
    static func address(_ text: String?) -> EmailSubject? {
        guard let text, let path = AddressList.smtpPath(text), !path.isEmpty else { return nil }
        return EmailSubject(path)
    }
}
