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

    /// Normalises an address as the spec says names are compared: lowercase, one trailing dot
    /// removed, the domain in its ASCII (punycode) form. Most addresses are already in that
    /// form; they are kept as they are, without a copy.
    public init?(_ text: String) {
        // One pass over the bytes finds the last `@` and says whether the address is already in
        // matching form, as nearly all are; a native string's contiguous bytes are read
        // several times faster than its UTF-8 view.
        let (at, count, clean, last) = text.utf8.withContiguousStorageIfAvailable(Self.survey) ?? Self.survey(text.utf8)
        // The local part and the domain are both non-empty.
        guard at > 0, at < count - 1 else { return nil }
        if clean, last != UInt8(ascii: ".") {
            address = text
            domainOffset = at + 1
            return
        }
        let split = text.utf8.index(text.utf8.startIndex, offsetBy: at)
        guard let ascii = MatchingName.normalize(String(Substring(text.utf8[text.utf8.index(after: split)...]))) else { return nil }
        let lowerLocal = String(Substring(text.utf8[..<split])).lowercased()
        address = lowerLocal + "@" + ascii
        domainOffset = lowerLocal.utf8.count + 1
    }

    /// The offset of the last `@` (-1 if none), the length, whether every byte is ASCII and no
    /// capital, and the last byte.
    private static func survey(_ bytes: some Sequence<UInt8>) -> (at: Int, count: Int, clean: Bool, last: UInt8) {
        var at = -1, count = 0, clean = true, last: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "@") { at = count }
            clean = clean && byte < 0x80 && !(byte >= 0x41 && byte <= 0x5A)
            last = byte
            count += 1
        }
        return (at, count, clean, last)
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

extension String {
    /// Without leading and trailing spaces and tabs; the string itself when it has none.
    package var trimmingASCIISpaces: String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
            let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        if first == utf8.startIndex, last == utf8.index(before: utf8.endIndex) { return self }
        return String(Substring(utf8[first...last]))
    }
}
