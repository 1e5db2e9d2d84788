/// What a policy grants, on the side of the message it applies to.
public struct Grants: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let trustedSender = Grants(rawValue: 1)
    public static let acceptableSender = Grants(rawValue: 2)
    public static let exemptRecipient = Grants(rawValue: 4)

    public static let senderSide: Grants = [.trustedSender, .acceptableSender]
    public static let recipientSide: Grants = [.exemptRecipient]

    public var names: [String] {
        var names: [String] = []
        if contains(.trustedSender) { names.append("trusted_sender") }
        if contains(.acceptableSender) { names.append("acceptable_sender") }
        if contains(.exemptRecipient) { names.append("exempt_recipient") }
        return names
    }
}
