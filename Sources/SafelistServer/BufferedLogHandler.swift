import Foundation
import Logging
import SafelistCore

/// The server's log lines, one per event, in the shape swift-log's stream handler writes them
/// (`2026-11-30T04:50:27.123456Z info safelist: request duration_us=84 method=GET …`), with
/// the time in UTC and built without `strftime` or a time zone lookup, written through a
/// `LogSink` in batches.
public struct BufferedLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink = .standardOutput) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let given = event.metadata { merged.merge(given) { $1 } }
        var line = Timestamp.now().rfc3339
        line += " \(event.level) \(label): \(event.message)"
        for key in merged.keys.sorted() {
            line += " \(key)=\(merged[key].map { "\($0)" } ?? "")"
        }
        line += "\n"
        sink.append(Array(line.utf8), urgent: event.level >= .notice)
    }
}
