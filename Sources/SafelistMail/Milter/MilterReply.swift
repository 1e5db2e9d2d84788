import NIOCore

/// What the filter answers (`SMFIR_*`): only what Safelist uses.
enum MilterReply: Sendable, Equatable {
    case negotiate(version: UInt32, actions: MilterActions, steps: MilterSteps)
    case `continue`
    case addHeader(name: String, value: String)
    /// `index` counts the headers of that name from 1; an empty value deletes the header.
    case changeHeader(index: UInt32, name: String, value: String)

    var packet: MilterPacket {
        var data = ByteBuffer()
        switch self {
        case .negotiate(let version, let actions, let steps):
            data.writeInteger(version)
            data.writeInteger(actions.rawValue)
            data.writeInteger(steps.rawValue)
            return MilterPacket(command: UInt8(ascii: "O"), data: data)
        case .continue:
            return MilterPacket(command: UInt8(ascii: "c"), data: data)
        case .addHeader(let name, let value):
            data.writeNullTerminatedString(name)
            data.writeNullTerminatedString(value)
            return MilterPacket(command: UInt8(ascii: "h"), data: data)
        case .changeHeader(let index, let name, let value):
            data.writeInteger(index)
            data.writeNullTerminatedString(name)
            data.writeNullTerminatedString(value)
            return MilterPacket(command: UInt8(ascii: "m"), data: data)
        }
    }
}
