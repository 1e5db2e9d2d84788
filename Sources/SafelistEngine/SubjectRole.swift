/// Where a matched value came from.
public enum SubjectRole: Sendable, Hashable {
    case envelopeFrom, headerFrom, replyTo(Int), clientHostname, clientIP, recipient(Int)

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
        case .replyTo(let index), .recipient(let index): index
        default: nil
        }
    }
}
