import Foundation
import Logging
import NIOCore
import NIOPosix
import SafelistCore
import SafelistEngine
import SafelistMail
import ServiceLifecycle
import Synchronization

/// `safelist-bench mail [--literals N] [--regexes N] [--seconds S] [--rounds R]`
///
/// The mail listeners over loopback, as Postfix drives them: policy delegation requests over 100
/// persistent connections (one request in flight on each, as each smtpd process asks), and whole
/// milter messages (MAIL, RCPT, From, Authentication-Results, end of message) over 20. Each
/// against a baseline built in the same run: the same listener and protocol loop deciding
/// nothing (`MailDecisions.protocolOnly`: `DUNNO`, continue). The two alternate, round after
/// round. Latency is one decision's, from the request's first byte written to its answer read.
/// Clients and server share the machine; decision logging is off in both.
struct MailBenchmark {
    var literals = 100_000
    var regexes = 1_000
    var seconds = 10
    var rounds = 2

    init(_ arguments: ArraySlice<String>) throws {
        for (flag, value) in try BenchUsage.integerFlags(arguments) {
            switch flag {
            case "--literals": literals = value
            case "--regexes": regexes = value
            case "--seconds": seconds = value
            case "--rounds": rounds = value
            default: throw BenchUsage()
            }
        }
    }

    let account = AccountID("0123456789abcdef0123456789abcdef")!

    func run() async throws {
        print("== mail: \(literals) literal policies + \(regexes) regexes, \(seconds) s a run, \(rounds) rounds")
        let corpus = BenchCorpus(account: account, literals: literals, regexes: regexes, messages: 20_000)
        let engine = PolicyEngine(feed: MemoryFeed(account: account, policies: corpus.literals + corpus.regexes))
        _ = try await engine.snapshot(for: account)
        var options = MailOptions(account: account)
        options.trustedAuthservIDs = ["mx.example.test"]
        let decided = MailDecisions(engine: engine, options: options), baseline = MailDecisions.protocolOnly(options: options)
        let policyRequests = corpus.messages.map(Self.policyRequest)
        let milterMessages = corpus.messages.map(Self.milterMessage)

        print("run                               decisions/s     p50       p99      answered")
        // Throughput under load (latency there is mostly queueing: connections / rate), then one
        // connection alone, where latency is one decision's.
        for (policyConnections, milterConnections) in [(100, 20), (1, 1)] {
            for round in 1...rounds {
                for (name, decisions) in [("baseline", baseline), ("engine", decided)] {
                    let run = try await measure(
                        policyListener(decisions), connections: policyConnections, requests: policyRequests, answer: Self.policyAnswer)
                    report("policy \(policyConnections)c, \(name) (\(round))", run)
                }
                for (name, decisions) in [("baseline", baseline), ("engine", decided)] {
                    let run = try await measure(
                        milterListener(decisions), connections: milterConnections, requests: milterMessages, opening: Self.negotiation,
                        answer: Self.milterAnswer)
                    report("milter \(milterConnections)c, \(name) (\(round))", run)
                }
            }
        }
    }

    struct Run {
        var rate: Double, p50: Double, p99: Double, count: Int
        var sample: String
    }

    func report(_ name: String, _ run: Run) {
        print(
            name.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(format: "%9.0f %7.0f µs %7.0f µs   ", run.rate, run.p50, run.p99) + run.sample)
    }

    static let logger: Logger = {
        var logger = Logger(label: "safelist-bench")
        logger.logLevel = .warning
        return logger
    }()

    func policyListener(_ decisions: MailDecisions) -> (@escaping @Sendable (Int) -> Void) -> any Service {
        { PostfixPolicyService.listener(host: "127.0.0.1", port: 0, decisions: decisions, logger: Self.logger, onListening: $0) }
    }

    func milterListener(_ decisions: MailDecisions) -> (@escaping @Sendable (Int) -> Void) -> any Service {
        { MilterService.listener(host: "127.0.0.1", port: 0, decisions: decisions, logger: Self.logger, onListening: $0) }
    }

    /// Runs the listener, and `connections` clients each sending `requests` in turn (one in
    /// flight) for `seconds`; `answer` says how many bytes make the answer at the start of what
    /// was read, and `opening` is sent first on each connection (its answer read too).
    func measure(
        _ make: (@escaping @Sendable (Int) -> Void) -> any Service, connections: Int, requests: [ByteBuffer], opening: ByteBuffer? = nil,
        answer: @escaping @Sendable (ByteBuffer) -> Int?
    ) async throws -> Run {
        let port = Mutex<Int?>(nil)
        let group = ServiceGroup(services: [make { bound in port.withLock { $0 = bound } }], logger: Self.logger)
        let server = Task { try await group.run() }
        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        let bound = port.withLock { $0 } ?? 0
        let duration = Duration.seconds(seconds)
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ([Double], String).self) { clients in
            for client in 0..<connections {
                clients.addTask {
                    try await Self.client(
                        port: bound, requests: requests, first: client * 97, opening: opening, answer: answer, until: started + duration)
                }
            }
            var all: [([Double], String)] = []
            for try await result in clients { all.append(result) }
            return all
        }
        let elapsed = ContinuousClock.now - started
        await group.triggerGracefulShutdown()
        try await server.value
        let latencies = results.flatMap(\.0).sorted()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        return Run(
            rate: Double(latencies.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18),
            p50: percentile(0.5), p99: percentile(0.99), count: latencies.count, sample: results.first?.1 ?? "")
    }

    /// One connection's loop; returns each answer's latency in microseconds, and one answer.
    static func client(
        port: Int, requests: [ByteBuffer], first: Int, opening: ByteBuffer?, answer: @escaping @Sendable (ByteBuffer) -> Int?,
        until deadline: ContinuousClock.Instant
    ) async throws -> ([Double], String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var pending = ByteBuffer()
            func readAnswer() async throws -> ByteBuffer {
                while true {
                    if let length = answer(pending), let taken = pending.readSlice(length: length) { return taken }
                    guard var chunk = try await iterator.next() else { throw BenchUsage() }
                    pending.writeBuffer(&chunk)
                }
            }
            if let opening {
                try await outbound.write(opening)
                _ = try await readAnswer()
            }
            var latencies: [Double] = []
            var sample = ""
            var index = first
            while ContinuousClock.now < deadline {
                let sent = ContinuousClock.now
                try await outbound.write(requests[index % requests.count])
                let answered = try await readAnswer()
                latencies.append(Double((ContinuousClock.now - sent) / .nanoseconds(1)) / 1000)
                if sample.isEmpty { sample = String(buffer: answered).filter { $0.isASCII && !$0.isNewline && $0 != "\0" }.prefix(60) + "" }
                index += 1
            }
            outbound.finish()
            return (latencies, sample)
        }
    }

    static func policyRequest(_ message: BenchCorpus.RawMessage) -> ByteBuffer {
        ByteBuffer(
            string: "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=\(message.clientIP)\n"
                + "client_name=\(message.hostname ?? "unknown")\nhelo_name=mx.example.net\nsender=\(message.envelopeFrom)\n"
                + "recipient=\(message.recipients[0])\nrecipient_count=0\ninstance=\(message.envelopeFrom.hashValue & 0xFFFF).1.1.1\n\n")
    }

    static func policyAnswer(_ buffer: ByteBuffer) -> Int? {
        buffer.readableBytesView.firstRange(of: Array("\n\n".utf8)).map { $0.upperBound - buffer.readerIndex }
    }

    /// MTA-side packets: what Postfix sends for one message once the options are agreed.
    static func milterMessage(_ message: BenchCorpus.RawMessage) -> ByteBuffer {
        var bytes = ByteBuffer()
        func packet(_ command: Character, _ strings: [String]) {
            var data = ByteBuffer()
            for string in strings { data.writeNullTerminatedString(string) }
            bytes.writeInteger(UInt32(data.readableBytes + 1))
            bytes.writeInteger(command.asciiValue ?? 0)
            bytes.writeBuffer(&data)
        }
        var connect = ByteBuffer()
        connect.writeNullTerminatedString(message.hostname ?? "[\(message.clientIP)]")
        connect.writeInteger(UInt8(ascii: message.clientIP.contains(":") ? "6" : "4"))
        connect.writeInteger(UInt16(25))
        connect.writeNullTerminatedString(message.clientIP)
        bytes.writeInteger(UInt32(connect.readableBytes + 1))
        bytes.writeInteger(UInt8(ascii: "C"))
        bytes.writeBuffer(&connect)
        packet("H", ["mx.example.net"])
        packet("M", ["<\(message.envelopeFrom)>"])
        for recipient in message.recipients { packet("R", ["<\(recipient)>"]) }
        packet("L", ["From", message.headerFrom])
        packet("L", ["Authentication-Results", "mx.example.test; spf=\(message.spfPass ? "pass" : "fail") smtp.mailfrom=\(message.envelopeFrom)"])
        packet("L", ["Subject", "Benchmark"])
        packet("N", [])
        packet("E", [])
        return bytes
    }

    static let negotiation: ByteBuffer = {
        var bytes = ByteBuffer()
        bytes.writeInteger(UInt32(13))
        bytes.writeInteger(UInt8(ascii: "O"))
        for value: UInt32 in [6, 0x1FF, 0x1F_FFFF] { bytes.writeInteger(value) }
        return bytes
    }()

    /// The end of a message's replies: packets up to and with the final continue.
    static func milterAnswer(_ buffer: ByteBuffer) -> Int? {
        var scan = buffer
        while let length = scan.readInteger(as: UInt32.self), scan.readableBytes >= Int(length) {
            let command = scan.readInteger(as: UInt8.self)
            scan.moveReaderIndex(forwardBy: Int(length) - 1)
            if command == UInt8(ascii: "c") || command == UInt8(ascii: "O") { return scan.readerIndex - buffer.readerIndex }
        }
        return nil
    }
}
