import SafelistCore

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
        // Most addresses are already in matching form: one pass over the bytes says so, and
        // where the domain starts. (The generic `lastIndex` and `allSatisfy` over a String's
        // UTF-8 view cost more than the engine's whole evaluation of the message.)
        let plain: Int?? = text.utf8.withContiguousStorageIfAvailable { bytes in
            var at = -1, clean = true
            for (offset, byte) in bytes.enumerated() {
                if byte == UInt8(ascii: "@") { at = offset }
                clean = clean && byte < 0x80 && !(byte >= 0x41 && byte <= 0x5A)
            }
            guard clean, at > 0, at < bytes.count - 1, bytes[bytes.count - 1] != UInt8(ascii: ".") else { return nil }
            return at + 1
        }
        if let domainOffset = plain ?? nil {
            address = text
            self.domainOffset = domainOffset
            return
        }
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
