/// What `/readyz` checks: the composition root supplies the checks (the store answers, the
/// engine has loaded the accounts), the router only reports them.
public struct Readiness: Sendable {
    public struct Check: Sendable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String

        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    private let checks: @Sendable () async -> [Check]

    public init(_ checks: @escaping @Sendable () async -> [Check]) {
        self.checks = checks
    }

    /// Runs the checks now.
    public func check() async -> [Check] {
        await checks()
    }
}
