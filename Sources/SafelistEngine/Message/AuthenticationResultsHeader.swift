/// One `Authentication-Results` header value (RFC 8601 §2.2): the authserv-id that wrote it and
/// each method's result with its properties. Comments (nested) and quoted values are read as
/// the grammar says; a method's version (`dkim/1`) and a `reason=` are skipped.
public struct AuthenticationResultsHeader: Sendable, Equatable {
    /// Lowercase, without a trailing dot: as trusted ids are compared.
    public let authservID: String
    public let results: [Result]

    public struct Result: Sendable, Equatable {
        /// Lowercase: `spf`, `dkim`, `dmarc`, and any other method.
        public let method: String
        /// Lowercase, as the header gives it.
        public let result: String
        /// `ptype.property` (lowercase) to its value: `smtp.mailfrom`, `header.d`, …
        public let properties: [String: String]
    }

    public struct Problem: Error, Sendable, Equatable {
        public let reason: String
    }

    /// Reads a header's value; the header's name in front of it (`Authentication-Results:`) is
    /// allowed and skipped.
    public static func parse(_ text: String) throws(Problem) -> AuthenticationResultsHeader {
        var scanner = Scanner(Array(text.unicodeScalars))
        scanner.skipName("authentication-results")
        scanner.skipCFWS()
        guard let id = scanner.value(), !id.isEmpty else { throw Problem(reason: "it has no authserv-id") }
        scanner.skipCFWS()
        if let first = scanner.current, ("0"..."9").contains(first) { _ = scanner.keyword() }
        var results: [Result] = []
        while true {
            scanner.skipCFWS()
            guard scanner.current != nil else { break }
            guard scanner.take(";") else { throw Problem(reason: "expected ';' before a method") }
            scanner.skipCFWS()
            guard let method = scanner.keyword(), !method.isEmpty else {
                if scanner.current == nil { break }
                throw Problem(reason: "expected a method name")
            }
            if method.lowercased() == "none", scanner.atEndOfResult { continue }
            if scanner.take("/") { _ = scanner.keyword() }
            scanner.skipCFWS()
            guard scanner.take("=") else { throw Problem(reason: "expected '=' after \(method)") }
            scanner.skipCFWS()
            guard let result = scanner.keyword(), !result.isEmpty else { throw Problem(reason: "\(method) has no result") }
            var properties: [String: String] = [:]
            while true {
                scanner.skipCFWS()
                if scanner.atEndOfResult { break }
                guard let type = scanner.keyword(), !type.isEmpty else { throw Problem(reason: "expected a property after \(method)=\(result)") }
                scanner.skipCFWS()
                if type.lowercased() == "reason", scanner.take("=") {
                    scanner.skipCFWS()
                    _ = scanner.value()
                    continue
                }
                guard scanner.take(".") else { throw Problem(reason: "expected '.' in the property \(type)") }
                guard let property = scanner.keyword(), !property.isEmpty else { throw Problem(reason: "expected a property name after \(type).") }
                scanner.skipCFWS()
                guard scanner.take("=") else { throw Problem(reason: "expected '=' after \(type).\(property)") }
                scanner.skipCFWS()
                properties["\(type).\(property)".lowercased()] = scanner.propertyValue()
            }
            results.append(Result(method: method.lowercased(), result: result.lowercased(), properties: properties))
        }
        var authserv = id.lowercased()
        if authserv.hasSuffix(".") { authserv.removeLast() }
        return AuthenticationResultsHeader(authservID: authserv, results: results)
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        /// At the end of the value or of one method's result.
        var atEndOfResult: Bool {
            var probe = self
            probe.skipCFWS()
            return probe.current == nil || probe.current == ";"
        }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            guard current == scalar else { return false }
            index += 1
            return true
        }

        mutating func skipName(_ name: String) {
            let prefix = Array(name.unicodeScalars)
            var probe = self
            probe.skipCFWS()
            guard probe.scalars.count >= probe.index + prefix.count + 1,
                String(String.UnicodeScalarView(probe.scalars[probe.index..<probe.index + prefix.count])).lowercased() == name,
                probe.scalars[probe.index + prefix.count] == ":"
            else { return }
            index = probe.index + prefix.count + 1
        }

        /// White space, folding, and comments (which nest, with `\` quoting one character).
        mutating func skipCFWS() {
            while let scalar = current {
                switch scalar {
                case " ", "\t", "\r", "\n": index += 1
                case "(":
                    var depth = 0
                    while let inner = current {
                        index += 1
                        if inner == "\\" {
                            index += 1
                        } else if inner == "(" {
                            depth += 1
                        } else if inner == ")" {
                            depth -= 1
                            if depth == 0 { break }
                        }
                    }
                default: return
                }
            }
        }

        /// Letters, digits, `-` and `_`.
        mutating func keyword() -> String? {
            let start = index
            while let scalar = current, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" {
                index += 1
            }
            return start == index ? nil : String(String.UnicodeScalarView(scalars[start..<index]))
        }

        /// A token or a quoted string (RFC 2045 `value`).
        mutating func value() -> String? {
            if current == "\"" { return quoted() }
            let start = index
            while let scalar = current, !Self.isSpecial(scalar) { index += 1 }
            return start == index ? nil : String(String.UnicodeScalarView(scalars[start..<index]))
        }

        /// A property's value: a quoted string, or everything up to white space, `;` or a comment
        /// (values are tokens, addresses and domain names).
        mutating func propertyValue() -> String {
            if current == "\"" { return quoted() }
            let start = index
            while let scalar = current, scalar != " ", scalar != "\t", scalar != "\r", scalar != "\n", scalar != ";", scalar != "(" {
                index += 1
            }
            return String(String.UnicodeScalarView(scalars[start..<index]))
        }

        mutating func quoted() -> String {
            var text = String.UnicodeScalarView()
            index += 1
            while let scalar = current {
                index += 1
                if scalar == "\"" { break }
                if scalar == "\\", let next = current {
                    text.append(next)
                    index += 1
                } else {
                    text.append(scalar)
                }
            }
            return String(text)
        }

        static func isSpecial(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value <= 0x20 || scalar.value == 0x7F || "()<>@,;:\\\"/[]?=".unicodeScalars.contains(scalar)
        }
    }
}

/// The results a message's `Authentication-Results` headers give, from the authserv-ids the
/// server trusts only: anyone can write the header (RFC 8601 §5), so the others are ignored,
/// and so said. Where trusted headers disagree about one identity (a pass and a fail for the
/// same DKIM domain: a forged copy beside the real one), that identity does not count as a pass.
public enum TrustedAuthentication {
    public struct Reading: Sendable, Equatable {
        public var results: AuthResults
        /// What was ignored and why, per header position.
        public var notes: [(index: Int, message: String)]

        public static func == (lhs: Reading, rhs: Reading) -> Bool {
            lhs.results == rhs.results && lhs.notes.map(\.index) == rhs.notes.map(\.index) && lhs.notes.map(\.message) == rhs.notes.map(\.message)
        }
    }

    /// An authserv-id as `trusted` holds it: lowercase, without a trailing dot.
    public static func normalize(authservID: String) -> String {
        var text = authservID.lowercased()
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    public static func read(_ values: [String], trusted: Set<String>) -> Reading {
        var results = AuthResults()
        var notes: [(Int, String)] = []
        for (index, value) in values.enumerated() {
            let header: AuthenticationResultsHeader
            do {
                header = try AuthenticationResultsHeader.parse(value)
            } catch {
                notes.append((index, "Authentication-Results ignored: it could not be read (\(error.reason))"))
                continue
            }
            guard trusted.contains(header.authservID) else {
                notes.append(
                    (index, "Authentication-Results from \(header.authservID) ignored: that authserv-id is not trusted (--trusted-authserv-id)"))
                continue
            }
            for result in header.results {
                guard let value = AuthResult(rawValue: result.result) else { continue }
                switch result.method {
                case "spf":
                    let mailFrom = result.properties["smtp.mailfrom"].flatMap(domainOf)
                    results.spf.append(AuthCheck(value, domain: mailFrom ?? result.properties["smtp.helo"].flatMap(domainOf)))
                case "dkim":
                    let domain = result.properties["header.d"].flatMap(domainOf) ?? result.properties["header.i"].flatMap(domainOf)
                    results.dkim.append(AuthCheck(value, domain: domain))
                case "dmarc":
                    results.dmarc.append(AuthCheck(value, domain: result.properties["header.from"].flatMap(domainOf)))
                default:
                    continue
                }
            }
        }
        var conflicts: [String] = []
        results.spf = settle(results.spf, "SPF", &conflicts)
        results.dkim = settle(results.dkim, "DKIM", &conflicts)
        results.dmarc = settle(results.dmarc, "DMARC", &conflicts)
        for conflict in conflicts { notes.append((-1, conflict)) }
        return Reading(results: results, notes: notes)
    }

    /// Identical checks once; a pass that another trusted check of the same identity
    /// contradicts is dropped.
    private static func settle(_ checks: [AuthCheck], _ method: String, _ conflicts: inout [String]) -> [AuthCheck] {
        var settled: [AuthCheck] = []
        for check in checks where !settled.contains(check) { settled.append(check) }
        let contested = Set(settled.filter { $0.result != .pass }.map { $0.domain ?? "" })
            .intersection(settled.filter { $0.result == .pass }.map { $0.domain ?? "" })
        for domain in contested.sorted() {
            conflicts.append(
                "Authentication-Results disagree: \(method) pass and not pass for \(domain.isEmpty ? "the message" : domain); not counted as a pass")
        }
        return settled.filter { !($0.result == .pass && contested.contains($0.domain ?? "")) }
    }

    /// The domain of an address or name, in matching form: after the last `@`, lowercase ASCII.
    static func domainOf(_ value: String) -> String? {
        var text = Substring(value)
        if text.hasPrefix("<"), text.hasSuffix(">") { text = text.dropFirst().dropLast() }
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }
        guard !text.isEmpty else { return nil }
        return MatchingName.normalize(String(text))
    }
}
