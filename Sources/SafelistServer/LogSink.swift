import Foundation
import Synchronization

/// Where `BufferedLogHandler` lines go: a file descriptor written in batches. A line at `info`
/// or below (the access log: one a request) joins a buffer that a background thread writes
/// every `interval`, or at once when it passes `flushBytes`; a line at `notice` or above is
/// written at once, with everything before it. A write a line to a pipe cost half of a GET's
/// time (each one wakes the reader: docs/benchmarks.md, "HTTP"); a batch costs one.
public final class LogSink: Sendable {
    private let descriptor: Int32
    private let buffer = Mutex<[UInt8]>([])
    private let flushBytes: Int

    public static let standardOutput = LogSink(descriptor: STDOUT_FILENO)

    public init(descriptor: Int32, interval: Duration = .milliseconds(20), flushBytes: Int = 64 * 1024) {
        self.descriptor = descriptor
        self.flushBytes = flushBytes
        let microseconds = UInt32(clamping: interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        let thread = Thread { [weak self] in
            while true {
                usleep(microseconds)
                guard let sink = self else { return }
                sink.flush()
            }
        }
        thread.name = "safelist-log"
        thread.start()
    }

    /// Writes happen under the buffer's lock, so lines leave in the order they came; a reader
    /// that stops reading holds up loggers only while a batch is being written.
    func append(_ line: [UInt8], urgent: Bool) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: line)
            guard urgent || buffer.count >= flushBytes else { return }
            write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Writes what is buffered: called by the timer, and before the process exits.
    public func flush() {
        buffer.withLock { buffer in
            guard !buffer.isEmpty else { return }
            write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Whole lines, in order: a short write goes on where it stopped.
    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let written = Foundation.write(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
