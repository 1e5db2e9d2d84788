import Foundation
import SafelistCore
import SafelistWire
import Testing

/// Answers are written by `JSONWriter`, not Foundation's encoder: what it writes must parse,
/// with Foundation's own parser, to exactly the values given.
@Suite("JSON writer: what every answer is written with")
struct JSONWriterTests {
    static func parsed(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    @Test(arguments: [
        "", "plain", "quote \" and backslash \\", "slash / stays", "line\nfeed\rreturn\ttab", "\u{08}\u{0C}",
        "nul \u{0} and \u{1F} unit separator", "é ü 漢字 🙂", "\u{2028}\u{2029}", String(repeating: "a\"", count: 300),
    ])
    func stringsParseBackToThemselves(_ text: String) throws {
        var writer = JSONWriter()
        writer.string(text)
        #expect(try Self.parsed(writer.bytes) as? String == text)
        #expect(!writer.bytes.contains(UInt8(ascii: "/")) || !String(decoding: writer.bytes, as: UTF8.self).contains("\\/"))
    }

    @Test(arguments: [0, 1, -1, 9, 10, 42, -25003, Int.max, Int.min])
    func integers(_ value: Int) throws {
        var writer = JSONWriter()
        writer.int(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
    }

    @Test(arguments: [false, true])
    func nestedContainersCompactAndPretty(pretty: Bool) throws {
        var writer = JSONWriter(pretty: pretty)
        writer.object { writer in
            writer.key("empty_object")
            writer.object { _ in }
            writer.key("empty_array")
            writer.array { _ in }
            writer.key("list")
            writer.array([1, 2, 3]) { $0.int($1) }
            writer.key("nested")
            writer.object { writer in
                writer.key("null")
                writer.null()
                writer.key("flag")
                writer.bool(true)
                writer.key("text")
                writer.string(nil)
                writer.key("objects")
                writer.array(["a", "b"]) { writer, name in
                    writer.object { writer in
                        writer.key("name")
                        writer.string(name)
                    }
                }
            }
        }
        let value = try #require(try Self.parsed(writer.bytes) as? NSDictionary)
        let expected: NSDictionary = [
            "empty_object": [String: Any](), "empty_array": [Any](), "list": [1, 2, 3],
            "nested": ["null": NSNull(), "flag": true, "text": NSNull(), "objects": [["name": "a"], ["name": "b"]]],
        ]
        #expect(value == expected)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.contains("\n") == pretty)
        if pretty { #expect(text.contains("\n    \"null\": null")) }
    }

    @Test func theEnvelopeListsErrorsWithTheirSourcesAndChains() throws {
        let item = ErrorItem(
            code: .malformedJSON, message: "bad", pointer: "/pattern",
            chain: [ErrorItem(code: .invalidAuthorizationHeader, message: "inner")])
        let failure = try #require(try Self.parsed(EnvelopeJSON.failure([item])) as? [String: Any])
        #expect(failure["success"] as? Bool == false)
        #expect(failure["result"] is NSNull)
        let error = try #require((failure["errors"] as? [[String: Any]])?.first)
        #expect(error["code"] as? Int == 25001 && error["message"] as? String == "bad")
        #expect((error["source"] as? [String: Any])?["pointer"] as? String == "/pattern")
        #expect(((error["error_chain"] as? [[String: Any]])?.first)?["code"] as? Int == 6111)
        let many = try #require(
            try Self.parsed(EnvelopeJSON.failure(Array(repeating: item, count: 150))) as? [String: Any])
        #expect((many["errors"] as? [Any])?.count == EnvelopeJSON.maximumErrors)
    }
}
