import SafelistCore

/// Cloudflare's v4 envelope: `{success, errors, messages, result}` plus `result_info` on lists.
/// What every answer's body is.
public enum EnvelopeJSON {
    public static func success(_ result: some JSONWritable, messages: [ErrorItem] = [], info: ResultInfo? = nil) -> [UInt8] {
        envelope(success: true, errors: [], messages: messages, info: info) { result.write(to: &$0) }
    }

    /// An answer lists at most this many problems: a body with ten thousand bad items gets the
    /// first ones and a count of the rest, not megabytes of errors.
    public static let maximumErrors = 100

    public static func failure(_ errors: [ErrorItem]) -> [UInt8] {
        var listed = errors
        if errors.count > maximumErrors {
            listed = Array(errors.prefix(maximumErrors - 1))
            listed.append(
                ErrorItem(
                    code: .moreProblems, message: "\(errors.count - listed.count) more problems are not listed; fix these and send again"))
        }
        return envelope(success: false, errors: listed, messages: [], info: nil) { $0.null() }
    }

    private static func envelope(
        success: Bool, errors: [ErrorItem], messages: [ErrorItem], info: ResultInfo?, result: (inout JSONWriter) -> Void
    ) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { writer in
            writer.key("success")
            writer.bool(success)
            writer.key("errors")
            writer.array(errors) { ErrorItemJSON($1).write(to: &$0) }
            writer.key("messages")
            writer.array(messages) { ErrorItemJSON($1).write(to: &$0) }
            writer.key("result")
            result(&writer)
            if let info {
                writer.key("result_info")
                info.write(to: &writer)
            }
        }
        return writer.bytes
    }
}

public struct ResultInfo: JSONWritable, Sendable {
    let page: Int
    let perPage: Int
    let count: Int
    let totalCount: Int

    public init(page: Int, perPage: Int, count: Int, totalCount: Int) {
        self.page = page
        self.perPage = perPage
        self.count = count
        self.totalCount = totalCount
    }

    public func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("page")
            writer.int(page)
            writer.key("per_page")
            writer.int(perPage)
            writer.key("count")
            writer.int(count)
            writer.key("total_count")
            writer.int(totalCount)
        }
    }
}

public struct ErrorItemJSON: JSONWritable {
    let item: ErrorItem

    public init(_ item: ErrorItem) {
        self.item = item
    }

    public func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("code")
            writer.int(item.code.rawValue)
            writer.key("message")
            writer.string(item.message)
            if item.pointer != nil || item.parameter != nil {
                writer.key("source")
                writer.object { writer in
                    if let pointer = item.pointer {
                        writer.key("pointer")
                        writer.string(pointer)
                    }
                    if let parameter = item.parameter {
                        writer.key("parameter")
                        writer.string(parameter)
                    }
                }
            }
            if !item.chain.isEmpty {
                writer.key("error_chain")
                writer.array(item.chain) { ErrorItemJSON($1).write(to: &$0) }
            }
        }
    }
}

/// A list of values, as a JSON array.
extension Array: JSONWritable where Element: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.array(self) { $1.write(to: &$0) }
    }
}
