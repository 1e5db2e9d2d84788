/// Where tokens and users live: in the same database as the policies, so that a credential minted
/// on one node works on every node.
public protocol CredentialStore: Sendable {
    func hasCredentials() async throws -> Bool
    func insert(token: APIToken) async throws
    func token(secretHash: [UInt8]) async throws -> APIToken?
    func tokens() async throws -> [APIToken]
    /// False when no token has this id.
    func revokeToken(id: String, at time: Timestamp) async throws -> Bool
    /// Throws `CredentialError.duplicateUser` when the email is taken.
    func insert(user: APIUser) async throws
    func user(email: String) async throws -> APIUser?
    /// The user whose Global API key has this SHA-256: how requests find their user.
    func user(keyHash: [UInt8]) async throws -> APIUser?
    func users() async throws -> [APIUser]
    func deleteUser(email: String) async throws -> Bool
}

public enum CredentialError: Error, Equatable, CustomStringConvertible {
    case duplicateUser(String)

    public var description: String {
        switch self {
        case .duplicateUser(let email): "a user with email \(email) already exists"
        }
    }
}
