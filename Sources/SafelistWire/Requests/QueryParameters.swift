import SafelistCore

/// A query string's known parameters read once each, with every problem gathered and refused
/// together. Unknown parameters are ignored (clients add their own, such as cache busters); a
/// known one given twice is a problem, reported once.
struct QueryParameters {
    private(set) var problems: [ErrorItem] = []

    static func read(
        _ items: [(name: String, value: String)], known: Set<String>, _ take: (inout QueryParameters, String, String) -> Void
    ) throws(SafelistError) {
        var parameters = QueryParameters()
        var seen: Set<String> = [], repeated: Set<String> = []
        for (name, value) in items {
            guard known.contains(name) else { continue }
            guard seen.insert(name).inserted else {
                if repeated.insert(name).inserted { parameters.fail(name, "\(name) is given more than once") }
                continue
            }
            take(&parameters, name, value)
        }
        guard parameters.problems.isEmpty else { throw .validation(parameters.problems) }
    }

    mutating func fail(_ name: String, _ message: String) {
        problems.append(
            ErrorItem(code: .invalidQueryParameter, message: message, pointer: "/query/" + jsonPointerToken(name), parameter: name))
    }

    mutating func page(_ value: String) -> Int? {
        guard let number = Int(value), number >= 1 else {
            fail("page", "page must be an integer of at least 1")
            return nil
        }
        return number
    }

    mutating func perPage(_ value: String, max: Int) -> Int? {
        guard let number = Int(value), (1...max).contains(number) else {
            fail("per_page", "per_page must be an integer from 1 to \(max)")
            return nil
        }
        return number
    }

    mutating func flag(_ name: String, _ value: String) -> Bool? {
        switch value {
        case "true": return true
        case "false": return false
        default:
            fail(name, "\(name) must be true or false")
            return nil
        }
    }
}
