/// The shapes of the API's paths, for answering 405 with `Allow` when a path exists but the
/// method does not (the router alone only knows "no match").
enum KnownRoutes {
    static let collection = ["accounts", "*", "email-security", "settings", "allow_policies"]

    static func allowedMethods(path: String) -> [String]? {
        var segments = path.split(separator: "/").map(String.init)
        if segments.starts(with: ["client", "v4"]) { segments.removeFirst(2) }
        guard segments.count >= collection.count,
              zip(segments, collection).allSatisfy({ $1 == "*" || $0 == $1 })
        else { return nil }
        switch segments.count - collection.count {
        case 0: return ["GET", "POST"]
        case 1: return segments.last == "batch" ? ["POST"] : ["GET", "PATCH", "PUT", "DELETE"]
        default: return nil
        }
    }
}
