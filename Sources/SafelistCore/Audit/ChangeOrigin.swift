/// Who made a policy change and from where, as the audit trail records it. The API fills it
/// from the request (the principal's label, the client's address, the request id); the CLI
/// from the operator's account on the machine.
public struct ChangeOrigin: Sendable, Equatable {
    /// How the change arrived: one of the single-policy routes, an item of a batch, an import.
    public enum Channel: String, Sendable, CaseIterable {
        case api, batch, `import`, cli
    }

    /// A principal's label (`token:ID`, `user:EMAIL`), or `cli:USER` for a local command.
    public var actor: String
    public var client: String?
    public var requestID: String?
    public var channel: Channel

    public init(actor: String, client: String? = nil, requestID: String? = nil, channel: Channel) {
        self.actor = actor
        self.client = client
        self.requestID = requestID
        self.channel = channel
    }

    /// Writes made by Safelist itself or by a caller that names no one (tests, benchmarks).
    public static let system = ChangeOrigin(actor: "system", channel: .cli)
}
