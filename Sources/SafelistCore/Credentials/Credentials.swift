/// What a credential may do. Write implies Read (Cloudflare's "Cloud Email Security" groups).
public enum Permission: String, Sendable, CaseIterable, Codable {
    case read
    case write

    public func allows(_ needed: Permission) -> Bool { self == .write || needed == .read }
}

/// The accounts a credential reaches.
public enum AccountScope: Sendable, Equatable {
    case all
    case accounts([AccountID])

    public func includes(_ account: AccountID) -> Bool {
        switch self {
        case .all: true
        case .accounts(let list): list.contains(account)
        }
    }

    /// A compact text form for storage and display: `*` or comma-separated ids.
    public var text: String {
        switch self {
        case .all: "*"
        case .accounts(let list): list.map(\.rawValue).joined(separator: ",")
        }
    }

    public init?(text: String) {
        if text == "*" {
            self = .all
            return
        }
        let ids = text.split(separator: ",").compactMap(AccountID.init)
        guard !ids.isEmpty, ids.count == text.split(separator: ",").count else { return nil }
        self = .accounts(ids)
    }
}

/// An API token (`Authorization: Bearer …`). Only the SHA-256 of its secret is kept.
public struct APIToken: Sendable, Equatable {
    public var id: String
    public var name: String
    public var permission: Permission
    public var scope: AccountScope
    public var secretHash: [UInt8]
    public var createdAt: Timestamp
    public var expiresAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(
        id: String, name: String, permission: Permission, scope: AccountScope, secretHash: [UInt8],
        createdAt: Timestamp, expiresAt: Timestamp? = nil, revokedAt: Timestamp? = nil
    ) {
        self.id = id
        self.name = name
        self.permission = permission
        self.scope = scope
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public func isActive(at now: Timestamp) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}

/// A user with a Global API key (`X-Auth-Email` + `X-Auth-Key`): Write on the user's accounts.
public struct APIUser: Sendable, Equatable {
    public var email: String
    public var scope: AccountScope
    public var keyHash: [UInt8]
    public var createdAt: Timestamp

    public init(email: String, scope: AccountScope, keyHash: [UInt8], createdAt: Timestamp) {
        self.email = email
        self.scope = scope
        self.keyHash = keyHash
        self.createdAt = createdAt
    }
}
