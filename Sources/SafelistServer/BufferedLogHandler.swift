import Foundation
import Logging
import SafelistCore
import SafelistWire

/// How a log line is written: `text` as swift-log's stream handler writes it, `json` one
/// object a line for a log collector (`time`, `level`, `label`, `message`, then the metadata).
public enum LogFormat: String, Sendable {
    case text, json
}

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
    private let format: LogFormat

    public init(label: String, sink: LogSink = .standardOutput, format: LogFormat = .text) {
        self.label = label
        self.sink = sink
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // The handler's, the provider's and the event's pairs, later ones winning, merged in a
        // small array rather than through two dictionaries: this runs for every request.
        var pairs: [(key: String, value: Logger.MetadataValue)] = []
        pairs.reserveCapacity(metadata.count + (event.metadata?.count ?? 0))
        func add(_ source: Logger.Metadata) {
            for (key, value) in source {
                if let index = pairs.firstIndex(where: { $0.key == key }) {
                    pairs[index].value = value
                } else {
                    pairs.append((key, value))
                }
            }
        }
        add(metadata)
        if let provided = metadataProvider?.get() { add(provided) }
        if let given = event.metadata { add(given) }
        pairs.sort { $0.key < $1.key }
        let bytes = format == .json ? json(event, pairs) : text(event, pairs)
        sink.append(bytes, urgent: event.level >= .notice)
    }

    private func text(_ event: LogEvent, _ pairs: [(key: String, value: Logger.MetadataValue)]) -> [UInt8] {
        var line = Timestamp.now().rfc3339
        line.reserveCapacity(160)
        line += " " + event.level.rawValue + " " + label + ": " + event.message.description
        for (key, value) in pairs {
            line += " " + key + "="
            if case .string(let text) = value { line += text } else { line += value.description }
        }
        line += "\n"
        return Array(line.utf8)
    }

    private func json(_ event: LogEvent, _ pairs: [(key: String, value: Logger.MetadataValue)]) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.object { object in
            object.key("time")
            object.string(Timestamp.now().rfc3339)
            object.key("level")
            object.string(event.level.rawValue)
            object.key("label")
            object.string(label)
            object.key("message")
            object.string(event.message.description)
            for (key, value) in pairs where !["time", "level", "label", "message"].contains(key) {
                object.key(key)
                if case .string(let text) = value { object.string(text) } else { object.string(value.description) }
            }
        }
        return writer.bytes + [UInt8(ascii: "\n")]
    }
}
