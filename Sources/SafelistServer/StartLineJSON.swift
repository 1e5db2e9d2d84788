import SafelistCore
import SafelistWire

/// The listening line as one JSON object (`--start-line json`), for a test harness that starts
/// Safelist and needs its address and token without scraping text:
/// `{"event":"listening","url":…,"port":…,"version":…,"database":…,"token_id":…}`.
struct StartLineJSON {
    let url: String
    let port: Int
    let tokenID: String?
    let database: String

    var text: String {
        var writer = JSONWriter(capacity: 256)
        writer.object { writer in
            writer.key("event")
            writer.string("listening")
            writer.key("url")
            writer.string(url)
            writer.key("port")
            writer.int(port)
            writer.key("version")
            writer.string(SafelistVersion.current)
            writer.key("database")
            writer.string(database)
            writer.key("token_id")
            writer.string(tokenID)
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
