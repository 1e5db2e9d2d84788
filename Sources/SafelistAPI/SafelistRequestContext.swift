import Hummingbird
import NIOCore
import SafelistCore

/// Per-request state: Hummingbird's core storage plus the principal the auth middleware proved.
public struct SafelistRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// Shared by every copy of this request's context (see `RequestFacts`).
    let facts = RequestFacts()
    /// The connection the request came on, and whether it was open when the request began: a
    /// request whose connection has closed since was abandoned, and stops its long work.
    let channel: any Channel
    private let channelWasActive: Bool

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
        channel = source.channel
        channelWasActive = source.channel.isActive
    }

    var isAbandoned: @Sendable () -> Bool {
        let (channel, wasActive) = (channel, channelWasActive)
        return { wasActive && (!channel.isActive || ClosedInputs.shared.contains(channel)) }
    }

    /// The account named in the path, once the principal may act on it with `permission`.
    /// A malformed id answers 7003 as Cloudflare does; an account out of reach answers 9109.
    func account(for permission: Permission, path: String) throws -> AccountID {
        guard let text = parameters.get("account_id"), let account = AccountID(text) else {
            throw HTTPRefusal.noRoute(path)
        }
        guard let principal else { throw Authenticator.authenticationError }
        try principal.authorize(account, permission)
        return account
    }

    /// Who is writing, for the audit trail: only asked once `account(for:path:)` has proved a principal.
    func origin(_ channel: ChangeOrigin.Channel) -> ChangeOrigin {
        ChangeOrigin(
            actor: principal?.label ?? "anonymous", client: self.channel.remoteAddress?.ipAddress, requestID: id, channel: channel)
    }

    func policyID(path: String) throws(HTTPRefusal) -> PolicyID {
        guard let text = parameters.get("policy_id"), let id = PolicyID(text) else { throw .noRoute(path) }
        return id
    }
}
