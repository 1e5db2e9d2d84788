import SafelistCore
import SafelistEngine

/// Reads a message's `auth`: `spf`, `dkim` and `dmarc`, each a result (`"pass"`) or a result
/// with the domain it authenticated (`{"result": "pass", "domain": "partner.example"}`); `dkim`
/// also a list of those, one per signature. Problems are reported by key, whatever the order
/// of the keys in the body.
struct AuthReader {
    /// The message's pointer; pointers are only made for problems.
    let base: String
    private var found: [(key: String, item: ErrorItem)] = []

    init(base: String) {
        self.base = base
    }

    private var pointer: String { base + "/auth" }

    var problems: [ErrorItem] {
        found.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element.item)
    }

    /// For the error messages only.
    private static let resultNames = AuthResult.allCases.map(\.rawValue).joined(separator: ", ")

    mutating func read(_ json: inout JSONParser) throws(JSONSyntaxError) -> AuthResults {
        var auth = AuthResults()
        // The three known keys by bit, any other in `unknownKeys`: no list made for the usual object.
        var seen: UInt8 = 0
        var unknownKeys = ObjectKeys()
        try json.beginObject()
        var first = true
        while let (key, offset) = try json.nextKey(first: &first) {
            let kind = try json.kind()
            let bit: UInt8
            switch key {
            case "spf":
                bit = 1
                auth.spf = try check(&json, key: key).map { [$0] } ?? []
            case "dmarc":
                bit = 2
                auth.dmarc = try check(&json, key: key).map { [$0] } ?? []
            case "dkim" where kind == .array:
                bit = 4
                auth.dkim = []
                try json.beginArray()
                var firstSignature = true
                var index = 0
                while try json.nextElement(first: &firstSignature) {
                    if let signature = try check(&json, key: key, index: index) { auth.dkim.append(signature) }
                    index += 1
                }
            case "dkim":
                bit = 4
                auth.dkim = try check(&json, key: key).map { [$0] } ?? []
            default:
                try json.skipValue()
                try unknownKeys.insert(key, at: offset)
                found.append((key, .unknownField(key, in: pointer)))
                continue
            }
            guard seen & bit == 0 else { throw JSONParser.repeated(key, at: offset) }
            seen |= bit
        }
        return auth
    }

    private mutating func check(_ json: inout JSONParser, key: String, index: Int? = nil) throws(JSONSyntaxError) -> AuthCheck? {
        let names = Self.resultNames
        let kind = try json.kind()
        var pointer: String { index.map { "\(self.pointer)/\(key)/\($0)" } ?? "\(self.pointer)/\(key)" }
        switch kind {
        case .string:
            guard let result = AuthResult(rawValue: try json.string().lowercased()) else {
                found.append(
                    (
                        key,
                        ErrorItem(
                            code: .invalidValue, message: "\(pointer.split(separator: "/").last ?? "") must be one of \(names)", pointer: pointer)
                    ))
                return nil
            }
            return AuthCheck(result)
        case .object:
            var result: String?
            var domain: (kind: JSONParser.Kind, text: String?)?
            var unknown: [String] = []
            var seen: UInt8 = 0
            var unknownKeys = ObjectKeys()
            try json.beginObject()
            var first = true
            while let (member, offset) = try json.nextKey(first: &first) {
                let memberKind = try json.kind()
                let bit: UInt8
                switch member {
                case "result":
                    bit = 1
                    if memberKind == .string { result = try json.string() } else { try json.skipValue() }
                case "domain":
                    bit = 2
                    domain = (memberKind, memberKind == .string ? try json.string() : nil)
                    if memberKind != .string { try json.skipValue() }
                default:
                    try json.skipValue()
                    try unknownKeys.insert(member, at: offset)
                    unknown.append(member)
                    continue
                }
                guard seen & bit == 0 else { throw JSONParser.repeated(member, at: offset) }
                seen |= bit
            }
            for member in unknown.sorted() { found.append((key, .unknownField(member, in: pointer))) }
            guard let text = result, let checked = AuthResult(rawValue: text.lowercased()) else {
                found.append((key, ErrorItem(code: .invalidValue, message: "result must be one of \(names)", pointer: pointer + "/result")))
                return nil
            }
            switch domain {
            case nil, (.null, _)?: return AuthCheck(checked)
            case (_, let name?)? where !name.isEmpty && name.utf8.count <= 253:
                guard let normalized = MatchingName.normalize(name.trimmingASCIISpaces) else { fallthrough }
                return AuthCheck(checked, domain: normalized)
            default:
                found.append((key, ErrorItem(code: .invalidDomain, message: "domain must be a domain name", pointer: pointer + "/domain")))
                return nil
            }
        default:
            try json.skipValue()
            found.append((key, .wrongType(pointer: pointer, expected: "a result or {\"result\", \"domain\"}", got: kind.name)))
            return nil
        }
    }
}
