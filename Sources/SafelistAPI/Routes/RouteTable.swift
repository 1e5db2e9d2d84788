import HTTPTypes

/// The API's routes in one table: the router registers them, and the error middleware reads the
/// same table to answer 405 with `Allow` when a path exists but the method does not (the router
/// alone only knows "no match").
struct RouteTable: Sendable {
    struct Route: Sendable {
        let method: HTTPRequest.Method
        /// Below the base path, with `:parameter` segments.
        let template: String

        /// A route of the policy collection: `path` below it ("" for the collection itself, a
        /// literal, or `:parameter`).
        init(method: HTTPRequest.Method, path: String) {
            self.init(method: method, template: RouteTable.collection + (path.isEmpty ? "" : "/" + path))
        }

        init(method: HTTPRequest.Method, template: String) {
            self.method = method
            self.template = template
        }
    }

    static let collection = "accounts/:account_id/email-security/settings/allow_policies"
    /// Cloudflare's base path; every route is also served bare, for clients given just host:port.
    static let basePath = "client/v4"

    let routes: [Route]

    static func templates(of route: Route) -> [String] {
        [basePath + "/" + route.template, route.template]
    }

    func allowedMethods(path: String) -> [String]? {
        var segments = path.split(separator: "/")
        let base = Self.basePath.split(separator: "/")
        if segments.starts(with: base) { segments.removeFirst(base.count) }
        // As in the router's trie, a literal segment wins over a parameter: `…/batch` is only batch.
        var best = (literals: -1, methods: [String]())
        for route in routes {
            let template = route.template.split(separator: "/")
            guard template.count == segments.count,
                zip(template, segments).allSatisfy({ $0.hasPrefix(":") || $0 == $1 })
            else { continue }
            let literals = template.filter { !$0.hasPrefix(":") }.count
            if literals > best.literals { best = (literals, []) }
            if literals == best.literals { best.methods.append(route.method.rawValue) }
        }
        return best.methods.isEmpty ? nil : best.methods
    }
}
