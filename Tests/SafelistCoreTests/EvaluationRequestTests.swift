import SafelistCore
import SafelistEngine
import SafelistTesting
import SafelistWire
import Testing

/// Evaluate bodies are read in one pass, member by member, with no `JSONValue` tree: what is
/// reported must not depend on the order of the fields, and exactly the documents the tree
/// reader accepts must be accepted, with the same syntax errors.
@Suite("Evaluate bodies: read in one pass")
struct EvaluationRequestTests {
    /// A body as members written in the order given.
    static func body(_ members: [(String, String)]) -> [UInt8] {
        Array(("{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}").utf8)
    }

    static func problems(_ body: [UInt8]) -> [String] {
        do {
            _ = try EvaluationRequest.parse(body)
            return []
        } catch {
            return error.errors.map { "\($0.code.rawValue) \($0.pointer ?? "")" }
        }
    }

    /// Every rotation and the reverse of `members`.
    static func orders(_ members: [(String, String)]) -> [[(String, String)]] {
        (0..<members.count).map { Array(members[$0...] + members[..<$0]) } + [members.reversed()]
    }

    @Test(arguments: [
        (
            [
                ("recipients", #"["a b@c.example", 7]"#), ("colour", "1"), ("envelope_from", "7"), ("auth", #"{"spf": "passed", "arc": 1}"#),
                ("alpha", "null"),
            ],
            [
                "25012 /alpha", "25012 /colour", "25011 /envelope_from", "25020 /recipients/0", "25011 /recipients/1", "25012 /auth/arc",
                "25013 /auth/spf",
            ]
        ),
        (
            [
                ("disposition", #""EVIL""#), ("client_ip", #""10.0.0.0/8""#), ("header_from", #""Bob <bob@x.example""#),
                ("auth", #"{"dkim": [{"result": "pass", "domain": 1, "z": 0, "y": 0}, "bad"], "dmarc": {"domain": "x.example"}}"#),
            ],
            [
                "25010 /envelope_from", "25020 /header_from", "25010 /recipients", "25022 /client_ip", "25012 /auth/dkim/0/y",
                "25012 /auth/dkim/0/z", "25021 /auth/dkim/0/domain", "25013 /auth/dkim/1", "25013 /auth/dmarc/result", "25013 /disposition",
            ]
        ),
        (
            [("envelope_from", #""<>""#), ("recipients", "[]"), ("reply_to", #"["a@b.example", 1]"#), ("authentication_results", "[1]")],
            ["25011 /reply_to/1", "25013 /recipients", "25011 /authentication_results/0"]
        ),
    ])
    func problemsDoNotDependOnFieldOrder(members: [(String, String)], expected: [String]) {
        for order in Self.orders(members) {
            #expect(Self.problems(Self.body(order)) == expected, "\(order.map(\.0))")
        }
    }

    @Test func aValidMessageIsTheSameInAnyOrder() throws {
        let members = [
            ("envelope_from", #""<bounce@partner.example>""#), ("header_from", #""\"Bob\" <Bob@Partner.example>""#),
            ("reply_to", #"["x@y.example, z@y.example"]"#), ("recipients", #"["ceo@corp.example", "<cfo@corp.example>"]"#),
            ("client_ip", #""2001:db8::1""#), ("client_hostname", #""MX.Partner.Example.""#),
            ("auth", #"{"spf": "PASS", "dkim": [{"result": "pass", "domain": "partner.example"}, "fail"], "dmarc": null}"#),
            ("disposition", #""SPAM""#),
        ]
        // dmarc null is a problem; without it the message is whole.
        #expect(Self.problems(Self.body(members)) == ["25011 /auth/dmarc"])
        var valid = members
        valid[6].1 = #"{"spf": "PASS", "dkim": [{"result": "pass", "domain": "partner.example"}, "fail"]}"#
        let messages = try Self.orders(valid).map { try EvaluationRequest.parse(Self.body($0)).messages.map(\.message) }
        let first = try #require(messages.first?.first)
        #expect(messages.allSatisfy { $0 == [first] })
        #expect(first.recipients.map(\.address) == ["ceo@corp.example", "cfo@corp.example"])
        #expect(first.replyTo.count == 2 && first.auth.dkim.count == 2 && first.auth.dkim.first?.domain == "partner.example")
        #expect(first.clientHostname == "mx.partner.example" && first.disposition == .spam)
    }

    @Test func aBatchIsKnownWhereverMessagesStands() throws {
        let message = #"{"envelope_from": "", "recipients": ["a@b.example"]}"#
        #expect(
            Self.problems(Self.body([("envelope_from", "1"), ("messages", "[\(message)]"), ("extra", "{}")])) == [
                "25012 /envelope_from", "25012 /extra",
            ])
        let batch = try EvaluationRequest.parse(Self.body([("messages", "[\(message), 7, {\"recipients\": 1}]")]))
        #expect(batch.isBatch && batch.items.count == 3 && batch.messages.count == 1)
        guard case .invalid(let notAnObject) = batch.items[1], case .invalid(let bad) = batch.items[2] else {
            Issue.record("items 1 and 2 must be refused")
            return
        }
        #expect(notAnObject.map(\.pointer) == ["/messages/1"])
        #expect(bad.map(\.pointer) == ["/messages/2/envelope_from", "/messages/2/recipients"])
        let tooMany = "[" + Array(repeating: message, count: 1001).joined(separator: ",") + "]"
        #expect(Self.problems(Self.body([("messages", tooMany)])) == ["25016 /messages"])
        #expect(Self.problems(Self.body([("messages", "{}")])) == ["25011 /messages"])
    }

    @Test func pastTheRecipientLimitOnlyTheCountIsReported() {
        let recipients = "[7, " + Array(repeating: #""a@b.example""#, count: 1000).joined(separator: ",") + "]"
        #expect(Self.problems(Self.body([("envelope_from", #""""#), ("recipients", recipients)])) == ["25016 /recipients"])
    }

    @Test(arguments: [
        #"{"envelope_from": "", "recipients": ["a@b.example"], "envelope_from": ""}"#,
        #"{"envelope_from": "", "recipients": ["a@b.example"], "x": 1, "x": 2}"#,
        #"{"envelope_from": "", "recipients": ["a@b.example"], "auth": {"spf": "pass", "spf": "pass"}}"#,
        #"{"envelope_from": "", "recipients": ["a@b.example"], "auth": {"spf": {"result": "pass", "result": "fail"}}}"#,
        #"{"messages": [], "messages": []}"#,
        #"{"envelope_from": 7, "recipients": ["a@b.example"],}"#,
        #"{"envelope_from": 7, "recipients": [1,]}"#,
        #"{"messages": [{"envelope_from": "", "recipients": ["a@b.example"]}, {"x": [}]}"#,
        #"[1,"#, #"{"envelope_from": ""} x"#, "",
    ])
    func syntaxErrorsWinOverEveryOtherProblem(body: String) {
        #expect(Self.problems(Array(body.utf8)).first?.hasPrefix("25001") == true, "\(body)")
    }

    /// The tree reader and the one-pass reader over the same bytes, each body mutated at random:
    /// both accept it as JSON or both refuse it with the same reason at the same byte.
    @Test func acceptsExactlyTheDocumentsTheTreeReaderAccepts() {
        let seeds = [
            #"{"messages": [{"envelope_from": "<a@b.example>", "recipients": ["c@d.example"], "auth": {"dkim": [{"result": "pass", "domain": "b.example"}]}}, 1, null]}"#,
            #"{"envelope_from": "", "recipients": ["x@y.example"], "client_ip": "192.0.2.1", "authentication_results": ["mx; spf=pass"], "z": [true, false, -1.5e3]}"#,
            #"{"envelope_from": "", "recipients": ["x@y.example"], "auth": {"spf": "pass", "spf": {"result": "pass"}}, "q": 1, "q": [2]}"#,
        ]
        let alphabet = Array(#"{}[]",:\ 0-1etnrufalsx"#.utf8)
        var random = SplitMix(seed: 16)
        for round in 0..<4000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0...(Int(random.next() % 3)) {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
                default: bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                }
            }
            var tree: String?
            do { _ = try JSONValue.parse(bytes) } catch { tree = error.errors.first?.message }
            var pass: String?
            do { _ = try EvaluationRequest.parse(bytes) } catch  where error.errors.first?.code == .malformedJSON {
                pass = error.errors.first?.message
            } catch {}
            #expect(tree == pass, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }
}
