import NIOCore

/// Splits a policy connection's bytes into requests: `name=value` lines ending in a newline, a
/// request ending at an empty line. Bounded: a line longer than `maximumLineBytes`, a request of
/// more than `maximumAttributes` attributes, or a line without `=` is a protocol error, and the
/// connection is closed (Postfix logs it and retries on a new connection).
struct PolicyRequestDecoder: ByteToMessageDecoder {
    typealias InboundOut = PolicyRequest

    static let maximumLineBytes = 16 * 1024
    static let maximumAttributes = 512

    private var attributes: [String: String] = [:]
    private var count = 0

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            guard length <= Self.maximumLineBytes else { throw PolicyProtocolError.lineTooLong }
            var line = buffer.readSlice(length: length) ?? ByteBuffer()
            buffer.moveReaderIndex(forwardBy: 1)
            if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
            if line.readableBytes == 0 {
                let request = PolicyRequest(attributes)
                attributes = [:]
                count = 0
                context.fireChannelRead(wrapInboundOut(request))
                continue
            }
            count += 1
            guard count <= Self.maximumAttributes else { throw PolicyProtocolError.tooManyAttributes }
            let bytes = line.readableBytesView
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")), equals > bytes.startIndex else {
                throw PolicyProtocolError.notAnAttribute
            }
            let name = String(decoding: bytes[bytes.startIndex..<equals], as: UTF8.self)
            attributes[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
        }
        guard buffer.readableBytes <= Self.maximumLineBytes else { throw PolicyProtocolError.lineTooLong }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        _ = try decode(context: context, buffer: &buffer)
        // A request cut off by the peer's close is dropped: there is no one left to answer.
        buffer.clear()
        return .needMoreData
    }
}

/// Why a policy connection was closed.
enum PolicyProtocolError: Error, CustomStringConvertible {
    case lineTooLong, tooManyAttributes, notAnAttribute, notAPolicyRequest

    var description: String {
        switch self {
        case .lineTooLong: "a line longer than \(PolicyRequestDecoder.maximumLineBytes) bytes"
        case .tooManyAttributes: "more than \(PolicyRequestDecoder.maximumAttributes) attributes in one request"
        case .notAnAttribute: "a line that is not name=value"
        case .notAPolicyRequest: "a request without request=smtpd_access_policy"
        }
    }
}
