import Logging
import NIOCore
import NIOPosix
import SafelistCore
import SafelistEngine
import SafelistTesting

@testable import SafelistMail

/// The mail listeners' decisions over a real engine on a fresh SQLite store holding `policies`.
func withDecisions<T: Sendable>(
    _ policies: [TestPolicy], configure: (inout MailOptions) -> Void = { _ in }, _ body: (MailDecisions) async throws -> T
) async throws -> T {
    try await StoreKind.sqlite.withStore { store in
        for policy in policies { _ = try await store.create(account: account, fields: try policy.fields) }
        var options = MailOptions(account: account)
        options.trustedAuthservIDs = ["mx.example.test"]
        // The real store answers: a loaded CI machine can take longer than the 2 s default to
        // load the account, and a test expecting a verdict would then get none. The deadline
        // itself is tested with a feed that hangs.
        options.decisionTimeout = .seconds(60)
        configure(&options)
        return try await body(MailDecisions(engine: PolicyEngine(feed: store), options: options))
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "safelist-mail-tests")
    logger.logLevel = .critical
    return logger
}()

/// A policy delegation request at RCPT, as Postfix sends it.
func rcpt(
    _ recipient: String, sender: String = "someone@elsewhere.example", client: String = "198.51.100.7", name: String = "unknown",
    instance: String = "1a2.3b.4c.1", state: String = "RCPT"
) -> PolicyRequest {
    PolicyRequest([
        "request": "smtpd_access_policy", "protocol_state": state, "protocol_name": "ESMTP", "client_address": client,
        "client_name": name, "reverse_client_name": name, "helo_name": "mx.elsewhere.example", "sender": sender,
        "recipient": recipient, "recipient_count": "0", "queue_id": "", "instance": instance, "size": "0",
    ])
}

/// A milter packet from the MTA: `command`, then `integers` (network order), then `strings`,
/// each NUL-terminated.
func packet(_ command: Character, integers: [UInt32] = [], strings: [String] = [], raw: [UInt8] = []) -> MilterPacket {
    var data = ByteBuffer()
    for integer in integers { data.writeInteger(integer) }
    data.writeBytes(raw)
    for string in strings { data.writeNullTerminatedString(string) }
    return MilterPacket(command: command.asciiValue ?? 0, data: data)
}

/// Postfix 3.7's option negotiation: version 6, every action, every step flag it knows.
let postfixNegotiation = packet("O", integers: [6, 0x1FF, 0x1F_FFFF])

/// A TCP client for the listener tests: sends bytes, reads until an answer is complete. Used by
/// one test task at a time (its reads are sequential), hence unchecked.
final class WireClient: @unchecked Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    /// Bytes read past the last answer.
    private var pending = ByteBuffer()

    init(port: Int) async throws {
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        iterator = channel.inbound.makeAsyncIterator()
        // Writes go through the channel itself; the async writer is not used, and must be finished.
        channel.outbound.finish()
    }

    func send(_ bytes: ByteBuffer) async throws {
        try await channel.channel.writeAndFlush(bytes)
    }

    func send(_ text: String) async throws { try await send(ByteBuffer(string: text)) }

    func send(_ packets: [MilterPacket]) async throws {
        var bytes = ByteBuffer()
        for packet in packets { bytes.writeImmutableBuffer(packet.bytes) }
        try await send(bytes)
    }

    /// Reads until `answer` finds a whole answer at the start of the bytes (and says how many
    /// bytes it took), or nil when the peer closes first.
    func read(_ answer: @Sendable (ByteBuffer) -> Int?) async throws -> ByteBuffer? {
        while true {
            if let length = answer(pending), let taken = pending.readSlice(length: length) { return taken }
            guard var chunk = try await nextChunk() else { return nil }
            pending.writeBuffer(&chunk)
        }
    }

    /// One policy answer: `action=…` and an empty line.
    func policyAnswer() async throws -> String? {
        try await read { buffer in
            buffer.readableBytesView.firstRange(of: Array("\n\n".utf8)).map { $0.upperBound - buffer.readerIndex }
        }.map { String(buffer: $0) }
    }

    /// Milter packets until (and with) one whose command is in `last`.
    func milterReplies(through last: Set<Character>) async throws -> [MilterPacket]? {
        try await read { buffer in
            leadingMilterPackets(buffer).first { last.contains(Character(Unicode.Scalar($0.packet.command))) }?.end
        }.map { leadingMilterPackets($0).map(\.packet) }
    }

    /// True when the peer closed the connection (reading gives nothing more).
    func closedByPeer() async -> Bool {
        do {
            while true {
                guard try await nextChunk() != nil else { return true }
            }
        } catch {
            return true
        }
    }

    private func nextChunk() async throws -> ByteBuffer? {
        try await iterator.next()
    }

    func close() async {
        try? await channel.channel.close()
    }
}

/// The whole milter packets at the start of `buffer`, each with how many bytes reach its end.
func leadingMilterPackets(_ buffer: ByteBuffer) -> [(packet: MilterPacket, end: Int)] {
    var scan = buffer
    var packets: [(packet: MilterPacket, end: Int)] = []
    while let length = scan.getInteger(at: scan.readerIndex, as: UInt32.self), length > 0, scan.readableBytes >= 4 + Int(length) {
        scan.moveReaderIndex(forwardBy: 4)
        guard let command = scan.readInteger(as: UInt8.self), let data = scan.readSlice(length: Int(length) - 1) else { break }
        packets.append((MilterPacket(command: command, data: data), scan.readerIndex - buffer.readerIndex))
    }
    return packets
}
