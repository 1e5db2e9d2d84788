/// Where a matched value came from.
public enum SubjectRole: Sendable, Hashable {
    case envelopeFrom, headerFrom(Int), replyTo(Int), clientHostname, clientIP, recipient(Int)

    public var name: String {
        switch self {
        case .envelopeFrom: "envelope_from"
        case .headerFrom: "header_from"
        case .replyTo: "reply_to"
        case .clientHostname: "client_hostname"
        case .clientIP: "client_ip"
        case .recipient: "recipients"
        }
    }

    public var index: Int? {
        switch self {
        case .headerFrom(let index), .replyTo(let index), .recipient(let index): index
        default: nil
        }
    }
}

extension SubjectRole {
    var isRecipient: Bool {
        if case .recipient = self { return true }
        return false
    }

    /// The spec's subject order, for a stable report.
    var order: Int {
        switch self {
        case .envelopeFrom: 0
        case .headerFrom(let index): 1 + index
        case .replyTo(let index): 32 + index
        case .clientHostname: 1_000_000
        case .clientIP: 1_000_001
        case .recipient(let index): 2_000_000 + index
        }
    }
}
