import Foundation

/// Progress of a long read, on standard error: a bar redrawn in place on a terminal (records,
/// rate, and an estimate of the time left from the bytes read), a plain line every second
/// otherwise, so a log or CI output gets a few lines rather than control characters.
final class ProgressMeter: @unchecked Sendable {
    private let total: Int?
    private let terminal = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private var lastShown = Date.distantPast
    private var shown = false

    init(total: Int?) {
        self.total = total
    }

    func update(records: Int, bytes: Int) {
        let now = Date()
        guard now.timeIntervalSince(lastShown) >= (terminal ? 0.1 : 1) else { return }
        lastShown = now
        shown = true
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(records) / elapsed
        var text = "read \(records) rows (\(Int(rate)) rows/s)"
        if let total, total > 0, bytes > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let left = elapsed / fraction - elapsed
            text =
                terminal ? Self.bar(fraction) + " " + text + String(format: ", %.0f s left", left) : text + String(format: ", %.0f%%", fraction * 100)
        }
        FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + text + (terminal ? "" : "\n")).utf8))
    }

    func finish() {
        if terminal, shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private static func bar(_ fraction: Double) -> String {
        let filled = Int(fraction * 30)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "]"
    }
}
