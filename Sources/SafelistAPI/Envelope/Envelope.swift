import Foundation
import HTTPTypes
import Hummingbird
import SafelistCore

/// Cloudflare's v4 envelope: `{success, errors, messages, result}` plus `result_info` on lists.
struct Envelope<Result: Encodable>: Encodable {
    var success: Bool
    var errors: [ErrorItemJSON]
    var messages: [ErrorItemJSON]
    var result: Result?
    var resultInfo: ResultInfo?

    enum Key: String, CodingKey {
        case success, errors, messages, result, resultInfo = "result_info"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(success, forKey: .success)
        try c.encode(errors, forKey: .errors)
        try c.encode(messages, forKey: .messages)
        try c.encode(result, forKey: .result)
        try c.encodeIfPresent(resultInfo, forKey: .resultInfo)
    }
}

struct ResultInfo: Encodable {
    let page: Int
    let perPage: Int
    let count: Int
    let totalCount: Int

    enum CodingKeys: String, CodingKey {
        case page, count, perPage = "per_page", totalCount = "total_count"
    }
}

struct ErrorItemJSON: Encodable {
    let item: ErrorItem

    enum Key: String, CodingKey { case code, message, source, errorChain = "error_chain" }
    enum SourceKey: String, CodingKey { case pointer, parameter }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(item.code, forKey: .code)
        try c.encode(item.message, forKey: .message)
        if item.pointer != nil || item.parameter != nil {
            var source = c.nestedContainer(keyedBy: SourceKey.self, forKey: .source)
            try source.encodeIfPresent(item.pointer, forKey: .pointer)
            try source.encodeIfPresent(item.parameter, forKey: .parameter)
        }
        if !item.chain.isEmpty { try c.encode(item.chain.map(ErrorItemJSON.init), forKey: .errorChain) }
    }
}

enum EnvelopeResponse {
    static func success<R: Encodable>(
        _ result: R, status: HTTPResponse.Status = .ok, messages: [ErrorItem] = [], info: ResultInfo? = nil
    ) throws -> Response {
        let envelope = Envelope(success: true, errors: [], messages: messages.map(ErrorItemJSON.init),
                                result: result, resultInfo: info)
        return try json(envelope, status: status)
    }

    static func failure(_ error: SafelistError) -> Response {
        let envelope = Envelope<Bool>(success: false, errors: error.errors.map(ErrorItemJSON.init), messages: [],
                                      result: nil, resultInfo: nil)
        // Encoding error items cannot fail: they hold only strings and integers.
        var response = (try? json(envelope, status: HTTPResponse.Status(code: error.httpStatus)))
            ?? Response(status: .internalServerError)
        switch error.kind {
        case .conflict:
            // The official SDKs retry 409 unless told not to; a duplicate stays a duplicate.
            if let name = shouldRetry { response.headers[name] = "false" }
        case .methodNotAllowed(let allowed):
            response.headers[.allow] = allowed.joined(separator: ", ")
        case .rateLimited(let seconds):
            response.headers[.retryAfter] = String(seconds)
        default:
            break
        }
        return response
    }

    private static let shouldRetry = HTTPField.Name("x-should-retry")

    private static func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
