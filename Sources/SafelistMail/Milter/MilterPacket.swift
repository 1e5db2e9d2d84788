import NIOCore

/// One milter packet: a 4-byte big-endian length (counting the command byte), the command
/// byte, then its data (Postfix `src/milter/milter8.c`).
struct MilterPacket: Sendable, Equatable {
    var command: UInt8
    var data: ByteBuffer

    /// The wire form.
    var bytes: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(data.readableBytes + 1))
        buffer.writeInteger(command)
        buffer.writeImmutableBuffer(data)
        return buffer
    }
}

/// Splits a milter connection's bytes into packets. A packet of length 0 or longer than
/// `maximumLength` is garbage: the connection is closed.
struct MilterPacketDecoder: ByteToMessageDecoder {
    typealias InboundOut = MilterPacket

    /// Above what Postfix sends without the body (a header is at most `header_size_limit`,
    /// 100 KiB by default), and what a body chunk could be (64 KiB) if the MTA sent one anyway.
    static let maximumLength = 256 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard length > 0, length <= Self.maximumLength else { throw MilterProtocolError.badLength(length) }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let command = buffer.readInteger(as: UInt8.self), let data = buffer.readSlice(length: Int(length) - 1) else {
            throw MilterProtocolError.badLength(length)
        }
        context.fireChannelRead(wrapInboundOut(MilterPacket(command: command, data: data)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.clear()
        return .needMoreData
    }
}

/// Why a milter connection was closed.
enum MilterProtocolError: Error, CustomStringConvertible, Equatable {
    case badLength(UInt32)
    case unknownCommand(UInt8)
    case malformed(String)
    case unsupportedVersion(UInt32)
    case beforeNegotiation

    var description: String {
        switch self {
        case .badLength(let length): "a packet of length \(length) (1 to \(MilterPacketDecoder.maximumLength))"
        case .unknownCommand(let byte): "unknown command byte \(byte)"
        case .malformed(let what): "a malformed \(what)"
        case .unsupportedVersion(let version): "milter protocol version \(version) (2 to 6 are spoken)"
        case .beforeNegotiation: "a command before option negotiation"
        }
    }
}
