import Foundation
import SafelistCore

/// What a policy grants, on the side of the message it applies to.
public struct Grants: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let trustedSender = Grants(rawValue: 1)
    public static let acceptableSender = Grants(rawValue: 2)
    public static let exemptRecipient = Grants(rawValue: 4)

    public static let senderSide: Grants = [.trustedSender, .acceptableSender]
    public static let recipientSide: Grants = [.exemptRecipient]
}

/// A policy as the engine keeps it: only what matching and reporting need, with the id as 16
/// bytes instead of a 36-character string, because a matcher holds a million of them.
public struct EnginePolicy: Sendable, Equatable {
    public let uuid: UUID
    public let pattern: String
    /// The canonical form when it differs from `pattern` (internationalised domains).
    private let canonical: String?
    public let type: PatternType
    public let isRegex: Bool
    public let grants: Grants
    public let verifySender: Bool

    public init(_ policy: AllowPolicy) {
        uuid = UUID(uuidString: policy.id.rawValue) ?? UUID()
        pattern = policy.pattern
        canonical = policy.matchKey == policy.pattern ? nil : policy.matchKey
        type = policy.patternType
        isRegex = policy.isRegex
        var grants: Grants = []
        if policy.isTrustedSender { grants.insert(.trustedSender) }
        if policy.isAcceptableSender { grants.insert(.acceptableSender) }
        if policy.isExemptRecipient { grants.insert(.exemptRecipient) }
        self.grants = grants
        verifySender = policy.verifySender
    }

    public var id: PolicyID { PolicyID(trusted: uuid.uuidString.lowercased()) }

    /// What literal lookups compare with: the ASCII form of names, the canonical IP text.
    public var matchKey: String { canonical ?? pattern }
}

extension UUID {
    /// The order of `uuidString`, from the 16 bytes: answers sort their matches by id, and
    /// formatting two ids for every comparison cost more than the rest of building an answer.
    @inline(__always)
    static func precedes(_ lhs: UUID, _ rhs: UUID) -> Bool {
        withUnsafeBytes(of: lhs.uuid) { left in
            withUnsafeBytes(of: rhs.uuid) { right in
                left.lexicographicallyPrecedes(right)
            }
        }
    }
}
