/// A set of writes applied as one transaction, in the order deletes, patches, puts, posts. The
/// single-policy operations are one-item requests whose items carry no pointer, so that every
/// write goes through the same planner and store path.
public struct BatchRequest: Sendable, Equatable {
    public struct Delete: Sendable, Equatable {
        public var id: PolicyID
        public var pointer: String?

        public init(id: PolicyID, pointer: String? = nil) {
            self.id = id
            self.pointer = pointer
        }
    }

    public struct Patch: Sendable, Equatable {
        public var id: PolicyID
        public var edit: PolicyEdit
        public var pointer: String?

        public init(id: PolicyID, edit: PolicyEdit, pointer: String? = nil) {
            self.id = id
            self.edit = edit
            self.pointer = pointer
        }
    }

    public struct Put: Sendable, Equatable {
        public var id: PolicyID
        public var fields: PolicyFields
        public var pointer: String?

        public init(id: PolicyID, fields: PolicyFields, pointer: String? = nil) {
            self.id = id
            self.fields = fields
            self.pointer = pointer
        }
    }

    public struct Post: Sendable, Equatable {
        public var fields: PolicyFields
        public var pointer: String?

        public init(fields: PolicyFields, pointer: String? = nil) {
            self.fields = fields
            self.pointer = pointer
        }
    }

    public static let maxItemsPerArray = 1000

    public var deletes: [Delete] = []
    public var patches: [Patch] = []
    public var puts: [Put] = []
    public var posts: [Post] = []
    /// The regexes whose compile check passed for this request (`RegexCheckedStore`): the
    /// planner refuses to write any other. Nil when the caller needs no check (tests, and
    /// loads of rows that were checked when they were first written).
    public var checkedRegexes: Set<String>?
    /// Who asked, for the audit trail.
    public var origin = ChangeOrigin.system

    public init(deletes: [Delete] = [], patches: [Patch] = [], puts: [Put] = [], posts: [Post] = []) {
        self.deletes = deletes
        self.patches = patches
        self.puts = puts
        self.posts = posts
    }

    public static func create(_ fields: PolicyFields) -> BatchRequest {
        BatchRequest(posts: [Post(fields: fields)])
    }

    public static func replace(_ id: PolicyID, with fields: PolicyFields) -> BatchRequest {
        BatchRequest(puts: [Put(id: id, fields: fields)])
    }

    public static func edit(_ id: PolicyID, _ edit: PolicyEdit) -> BatchRequest {
        BatchRequest(patches: [Patch(id: id, edit: edit)])
    }

    public static func delete(_ id: PolicyID) -> BatchRequest {
        BatchRequest(deletes: [Delete(id: id)])
    }

    /// The same request, recorded in the audit trail as `origin`'s.
    public func from(_ origin: ChangeOrigin) -> BatchRequest {
        var request = self
        request.origin = origin
        return request
    }

    /// Every existing policy the request refers to: what a store fetches before planning.
    public var referencedIDs: [PolicyID] {
        deletes.map(\.id) + patches.map(\.id) + puts.map(\.id)
    }

    /// The regexes the request itself writes, with where each is: those a check can judge
    /// before the stored policies are read. (An edit that only sets `is_regex` makes its stored
    /// pattern a regex; the planner finds that one.)
    public var regexPatterns: [(pattern: String, pointer: String)] {
        var found: [(String, String)] = []
        for item in puts where item.fields.isRegex { found.append((item.fields.pattern.stored, (item.pointer ?? "") + "/pattern")) }
        for item in posts where item.fields.isRegex { found.append((item.fields.pattern.stored, (item.pointer ?? "") + "/pattern")) }
        for item in patches where item.edit.isRegex == true {
            if let pattern = item.edit.pattern { found.append((pattern, (item.pointer ?? "") + "/pattern")) }
        }
        return found
    }

}

/// What a batch did: the deleted ids, then the resulting policies, each in request order.
public struct BatchResult: Sendable, Equatable {
    public var deletes: [PolicyID] = []
    public var patches: [AllowPolicy] = []
    public var puts: [AllowPolicy] = []
    public var posts: [AllowPolicy] = []
    /// The account's generation this write committed as (`PolicyChangeFeed`), when the store
    /// says: the engine then skips catching up to a write it has already applied.
    public var generation: Int64?

    public init() {}
}
