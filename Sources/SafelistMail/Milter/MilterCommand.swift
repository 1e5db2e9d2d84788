import NIOCore

/// What the MTA sends (`SMFIC_*`), decoded.
enum MilterCommand: Sendable, Equatable {
    case negotiate(version: UInt32, actions: MilterActions, steps: MilterSteps)
    /// Macros for the command `stage` names (a command byte: `C`, `M`, `R`, `E`…).
    case macros(stage: UInt8, [String: String])
    case connect(hostname: String, address: String?)
    case helo(String)
    case mail([String])
    case recipient([String])
    case data
    case header(name: String, value: String)
    case endOfHeaders
    case body
    case endOfMessage
    case abort
    case quit
    /// Quit this SMTP connection and keep the milter connection for another.
    case quitNewConnection
    case unknown

    init(_ packet: MilterPacket) throws(MilterProtocolError) {
        var data = packet.data
        switch packet.command {
        case UInt8(ascii: "O"):
            guard let version = data.readInteger(as: UInt32.self), let actions = data.readInteger(as: UInt32.self),
                let steps = data.readInteger(as: UInt32.self)
            else { throw .malformed("option negotiation") }
            self = .negotiate(version: version, actions: MilterActions(rawValue: actions), steps: MilterSteps(rawValue: steps))
        case UInt8(ascii: "D"):
            guard let stage = data.readInteger(as: UInt8.self) else { throw .malformed("macro packet") }
            let strings = try Self.strings(&data, "macro packet")
            var macros: [String: String] = [:]
            for pair in stride(from: 0, to: strings.count - 1, by: 2) { macros[strings[pair]] = strings[pair + 1] }
            self = .macros(stage: stage, macros)
        case UInt8(ascii: "C"):
            let hostname = try Self.string(&data, "connect")
            guard let family = data.readInteger(as: UInt8.self) else { throw .malformed("connect") }
            guard family == UInt8(ascii: "4") || family == UInt8(ascii: "6") else {
                self = .connect(hostname: hostname, address: nil)
                return
            }
            guard data.readInteger(as: UInt16.self) != nil else { throw .malformed("connect") }
            self = .connect(hostname: hostname, address: try Self.string(&data, "connect"))
        case UInt8(ascii: "H"): self = .helo(try Self.string(&data, "HELO"))
        case UInt8(ascii: "M"): self = .mail(try Self.strings(&data, "MAIL"))
        case UInt8(ascii: "R"): self = .recipient(try Self.strings(&data, "RCPT"))
        case UInt8(ascii: "T"): self = .data
        case UInt8(ascii: "L"):
            let name = try Self.string(&data, "header")
            self = .header(name: name, value: try Self.string(&data, "header"))
        case UInt8(ascii: "N"): self = .endOfHeaders
        case UInt8(ascii: "B"): self = .body
        case UInt8(ascii: "E"): self = .endOfMessage
        case UInt8(ascii: "A"): self = .abort
        case UInt8(ascii: "Q"): self = .quit
        case UInt8(ascii: "K"): self = .quitNewConnection
        case UInt8(ascii: "U"): self = .unknown
        default: throw .unknownCommand(packet.command)
        }
    }

    /// One NUL-terminated string.
    private static func string(_ data: inout ByteBuffer, _ what: String) throws(MilterProtocolError) -> String {
        guard let end = data.readableBytesView.firstIndex(of: 0), let text = data.readString(length: end - data.readerIndex) else {
            throw .malformed(what)
        }
        data.moveReaderIndex(forwardBy: 1)
        return text
    }

    /// NUL-terminated strings to the end of the packet.
    private static func strings(_ data: inout ByteBuffer, _ what: String) throws(MilterProtocolError) -> [String] {
        var strings: [String] = []
        while data.readableBytes > 0 { strings.append(try string(&data, what)) }
        return strings
    }
}

/// What the filter may do to a message (`SMFIF_*`).
struct MilterActions: OptionSet, Sendable, Equatable {
    let rawValue: UInt32
    static let addHeaders = MilterActions(rawValue: 0x01)
    static let changeHeaders = MilterActions(rawValue: 0x10)
}

/// Which steps the MTA sends and which it expects no reply to (`SMFIP_*`).
struct MilterSteps: OptionSet, Sendable, Equatable {
    let rawValue: UInt32
    static let noBody = MilterSteps(rawValue: 0x10)
    static let noReplyToHeaders = MilterSteps(rawValue: 0x80)
    static let noUnknown = MilterSteps(rawValue: 0x100)
    static let noData = MilterSteps(rawValue: 0x200)
    static let noReplyToConnect = MilterSteps(rawValue: 0x1000)
    static let noReplyToHelo = MilterSteps(rawValue: 0x2000)
    static let noReplyToMail = MilterSteps(rawValue: 0x4000)
    static let noReplyToRecipient = MilterSteps(rawValue: 0x8000)
    static let noReplyToData = MilterSteps(rawValue: 0x10000)
    static let noReplyToUnknown = MilterSteps(rawValue: 0x20000)
    static let noReplyToEndOfHeaders = MilterSteps(rawValue: 0x40000)
    static let noReplyToBody = MilterSteps(rawValue: 0x80000)

    /// What Safelist asks for: no body, no DATA or unknown commands, and no reply owed before
    /// the end of the message, of what the MTA offers.
    static let wanted: MilterSteps = [
        .noBody, .noUnknown, .noData, .noReplyToHeaders, .noReplyToConnect, .noReplyToHelo, .noReplyToMail, .noReplyToRecipient,
        .noReplyToData, .noReplyToUnknown, .noReplyToEndOfHeaders, .noReplyToBody,
    ]
}
