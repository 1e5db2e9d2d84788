import Foundation
import Logging
import SafelistServer
import Testing

/// The server's log lines leave in batches: `info` lines wait for the timer (or a full buffer),
/// a `notice` or worse takes everything before it along at once, in order.
@Suite("Buffered log lines")
struct BufferedLogHandlerTests {
    /// A pipe's read end, non-blocking: what has been written so far.
    static func available(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A pipe (a socket pair) whose read end does not block, closed when `body` ends: (read end, write end).
    static func withPipe(_ body: (Int32, Int32) async throws -> Void) async throws {
        var ends: [Int32] = [0, 0]
        // A socket pair, close-on-exec as it is made: not for the children other tests spawn.
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        try await body(ends[0], ends[1])
    }

    @Test func linesWaitForTheTimerAndUrgentOnesTakeThemAlong() async throws {
        try await Self.withPipe { readEnd, writeEnd in
            let ends = [readEnd, writeEnd]
            let sink = LogSink(descriptor: ends[1], interval: .seconds(3600))
            var logger = Logger(label: "test") { BufferedLogHandler(label: $0, sink: sink) }
            logger[metadataKey: "principal"] = "token:abc"
            logger.info("request", metadata: ["status": "200", "method": "GET"])
            logger.info("second")
            #expect(Self.available(ends[0]).isEmpty, "info lines wait")
            logger.warning("store unavailable")
            let lines = Self.available(ends[0]).split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines.first?.hasSuffix(" info test: request method=GET principal=token:abc status=200") == true)
            #expect(lines.first?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z "#, options: .regularExpression) != nil)
            #expect(lines.last?.hasSuffix(" warning test: store unavailable principal=token:abc") == true)
            logger.info("override", metadata: ["principal": "user:ops@example.com", "n": .stringConvertible(7)])
            sink.flush()
            #expect(Self.available(ends[0]).hasSuffix(" info test: override n=7 principal=user:ops@example.com\n"), "the event's pairs win")
            logger.info("third")
            sink.flush()
            #expect(Self.available(ends[0]).hasSuffix(" info test: third principal=token:abc\n"))
        }
    }

    @Test func theTimerWritesOnItsOwn() async throws {
        try await Self.withPipe { readEnd, writeEnd in
            let ends = [readEnd, writeEnd]
            let sink = LogSink(descriptor: ends[1], interval: .milliseconds(10))
            let logger = Logger(label: "test") { BufferedLogHandler(label: $0, sink: sink) }
            logger.info("soon")
            var seen = ""
            for _ in 0..<500 where seen.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
                seen = Self.available(ends[0])
            }
            #expect(seen.hasSuffix(" info test: soon\n"))
        }
    }

    @Test func jsonLinesAreOneObjectEach() async throws {
        try await Self.withPipe { readEnd, writeEnd in
            let sink = LogSink(descriptor: writeEnd, interval: .seconds(3600))
            var logger = Logger(label: "test") { BufferedLogHandler(label: $0, sink: sink, format: .json) }
            logger[metadataKey: "principal"] = "token:abc"
            logger.info("request", metadata: ["status": "404", "path": "/a \"quoted\"\npath", "n": .stringConvertible(7), "message": "shadowed"])
            sink.flush()
            let lines = Self.available(readEnd).split(separator: "\n")
            #expect(lines.count == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(object["message"] as? String == "request" && object["level"] as? String == "info" && object["label"] as? String == "test")
            #expect(object["path"] as? String == "/a \"quoted\"\npath" && object["status"] as? String == "404" && object["n"] as? String == "7")
            #expect(object["principal"] as? String == "token:abc")
            #expect((object["time"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression) != nil)
            // The event's `message` pair does not shadow the line's own message.
            #expect(object.count == 8)
        }
    }
}
