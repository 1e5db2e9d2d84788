import Foundation

/// The Public Suffix List (publicsuffix.org), read from the file Debian's `publicsuffix` package
/// installs: which names are public suffixes (`com`, `co.uk`, `github.io`), so that a domain's
/// organizational domain, the one label below its public suffix, can be found without guessing
/// (RFC 7489 §3.2's relaxed alignment). Both the ICANN and the private sections are read: two
/// sites on `github.io` belong to different people.
public struct PublicSuffixList: Sendable {
    public static let defaultPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// Exact rules, in ASCII (`co.uk`, `xn--55qx5d.cn`). Substrings, so that a name's suffixes
    /// are looked up in place, without a copy each.
    private let rules: Set<Substring>
    /// Wildcard rules, without their `*.` (`*.ck` is `ck`): every label below them is a suffix.
    private let wildcards: Set<Substring>
    /// Exceptions to wildcards, without their `!` (`!www.ck`): registrable after all.
    private let exceptions: Set<Substring>
    /// Whether the list was read; an empty list aligns only names that are equal.
    public let isLoaded: Bool

    public init(text: String) {
        var rules = Set<Substring>(), wildcards = Set<Substring>(), exceptions = Set<Substring>()
        for line in text.split(whereSeparator: \.isNewline) {
            // A rule is the line's first word; the rest and comment lines are ignored.
            guard let word = line.split(whereSeparator: \.isWhitespace).first, !word.hasPrefix("//") else { continue }
            var rule = Substring(word)
            let isException = rule.hasPrefix("!"), isWildcard = rule.hasPrefix("*.")
            if isException { rule = rule.dropFirst() } else if isWildcard { rule = rule.dropFirst(2) }
            guard let ascii = DomainName.asciiLabels(String(rule)).map({ $0[...] }) else { continue }
            if isException { exceptions.insert(ascii) } else if isWildcard { wildcards.insert(ascii) } else { rules.insert(ascii) }
        }
        self.rules = rules
        self.wildcards = wildcards
        self.exceptions = exceptions
        isLoaded = !rules.isEmpty
    }

    /// Reads the list; the error says which file and why, for an operator to act on.
    public init(contentsOf path: String) throws(PublicSuffixListError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PublicSuffixListError(
                "cannot read the Public Suffix List at \(path) (install Debian's publicsuffix package, or pass --public-suffix-list PATH)")
        }
        self.init(text: text)
        guard isLoaded else { throw PublicSuffixListError("\(path) holds no Public Suffix List rules") }
    }

    /// The list at the default path, read once; not loaded when the file is missing (the server
    /// reads its list explicitly and refuses to start without one).
    public static let system = (try? PublicSuffixList(contentsOf: defaultPath)) ?? PublicSuffixList(text: "")

    /// The organizational domain of `domain` (lowercase ASCII, no trailing dot): its public
    /// suffix and one more label. Nil when the name is a public suffix itself, or when the list
    /// was not read.
    public func organizationalDomain(of domain: String) -> Substring? {
        organizationalDomain(of: domain[...])
    }

    public func organizationalDomain(of domain: Substring) -> Substring? {
        guard isLoaded else { return nil }
        // Walks the labels from the right, looking each longer suffix up in place. The longest
        // matching rule decides; an exception beats a wildcard; a name no rule covers has its
        // last label as its suffix (the list's own default rule, "*").
        let utf8 = domain.utf8
        var suffixLabels = 1, labels = 0, decided = false
        var shorter: Substring?
        var start = utf8.endIndex
        while start > utf8.startIndex {
            var end = start
            if labels > 0 { end = utf8.index(before: start) }  // the dot between labels
            var labelStart = end
            while labelStart > utf8.startIndex, utf8[utf8.index(before: labelStart)] != UInt8(ascii: ".") {
                labelStart = utf8.index(before: labelStart)
            }
            guard labelStart < end else { return nil }  // an empty label: not a domain name
            labels += 1
            start = labelStart
            let suffix = domain[labelStart...]
            if !decided {
                if exceptions.contains(suffix) {
                    suffixLabels = labels - 1
                    decided = true
                } else if rules.contains(suffix) || shorter.map(wildcards.contains) == true {
                    suffixLabels = labels
                }
            }
            shorter = suffix
        }
        guard labels >= 2, labels > suffixLabels else { return nil }
        // The suffix and one more label: skip labels - suffixLabels - 1 labels from the left.
        var skip = labels - suffixLabels - 1
        var index = utf8.startIndex
        while skip > 0 {
            if utf8[index] == UInt8(ascii: ".") { skip -= 1 }
            index = utf8.index(after: index)
        }
        return domain[index...]
    }

    /// Whether two domains have the same organizational domain (relaxed alignment); a name with
    /// none (a public suffix) is aligned only with itself.
    public func aligned(_ first: some StringProtocol, _ second: some StringProtocol) -> Bool {
        let first = Substring(first), second = Substring(second)
        if first == second { return true }
        guard let left = organizationalDomain(of: first), let right = organizationalDomain(of: second) else { return false }
        return left == right
    }
}

public struct PublicSuffixListError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
