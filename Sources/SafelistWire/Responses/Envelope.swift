import Foundation
import SafelistCore

/// Cloudflare's v4 envelope: `{success, errors, messages, result}` plus `result_info` on lists.
public struct Envelope<Result: Encodable>: Encodable {
    var success: Bool
    var errors: [ErrorItemJSON]
    var messages: [ErrorItemJSON]
    var result: Result?
    var resultInfo: ResultInfo?

    enum Key: String, CodingKey {
        case success, errors, messages, result, resultInfo = "result_info"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(success, forKey: .success)
        try c.encode(errors, forKey: .errors)
        try c.encode(messages, forKey: .messages)
        try c.encode(result, forKey: .result)
        try c.encodeIfPresent(resultInfo, forKey: .resultInfo)
    }
}

public struct ResultInfo: Encodable, Sendable {
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

    enum CodingKeys: String, CodingKey {
        case page, count, perPage = "per_page", totalCount = "total_count"
    }
}

public struct ErrorItemJSON: Encodable {
    let item: ErrorItem

    public init(_ item: ErrorItem) {
        self.item = item
    }

    enum Key: String, CodingKey { case code, message, source, errorChain = "error_chain" }
    enum SourceKey: String, CodingKey { case pointer, parameter }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(item.code.rawValue, forKey: .code)
        try c.encode(item.message, forKey: .message)
        if item.pointer != nil || item.parameter != nil {
            var source = c.nestedContainer(keyedBy: SourceKey.self, forKey: .source)
            try source.encodeIfPresent(item.pointer, forKey: .pointer)
            try source.encodeIfPresent(item.parameter, forKey: .parameter)
        }
        if !item.chain.isEmpty { try c.encode(item.chain.map(ErrorItemJSON.init), forKey: .errorChain) }
    }
}

/// The envelope's bytes: what every answer's body is.
public enum EnvelopeJSON {
    public static func success<R: Encodable>(_ result: R, messages: [ErrorItem] = [], info: ResultInfo? = nil) throws -> Data {
        try encode(Envelope(success: true, errors: [], messages: messages.map(ErrorItemJSON.init), result: result, resultInfo: info))
    }

    /// An answer lists at most this many problems: a body with ten thousand bad items gets the
    /// first ones and a count of the rest, not megabytes of errors.
    public static let maximumErrors = 100

    /// Cannot fail: error items hold only strings and integers.
    public static func failure(_ errors: [ErrorItem]) -> Data {
        var listed = errors
        if errors.count > maximumErrors {
            listed = Array(errors.prefix(maximumErrors - 1))
            listed.append(
                ErrorItem(
                    code: .moreProblems, message: "\(errors.count - listed.count) more problems are not listed; fix these and send again"))
        }
        return (try? encode(Envelope<Bool>(success: false, errors: listed.map(ErrorItemJSON.init), messages: [], result: nil, resultInfo: nil)))
            ?? Data(#"{"success":false,"errors":[],"messages":[],"result":null}"#.utf8)
    }

    /// Any value as the API writes JSON: no escaped slashes, keys in a fixed order.
    public static func encode(_ value: some Encodable, pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.withoutEscapingSlashes, .sortedKeys, .prettyPrinted] : [.withoutEscapingSlashes, .sortedKeys]
        return try encoder.encode(value)
    }
}
