import Foundation
import SafelistCore
import SafelistWire
import Testing

/// What `safelist policy --url` sends and reads: each body is read back by the server's own
/// parser as what was meant, and a refusal reads back as the error the server wrote.
@Suite("The command line's remote mode: bodies the API reads, answers it wrote")
struct ClientBodiesTests {
    func fields(_ pattern: String, _ type: PatternType, comments: String?) throws -> PolicyFields {
        var notices: [ErrorItem] = []
        let body: JSONValue = .object([
            "pattern": .string(pattern), "pattern_type": .string(type.rawValue), "is_regex": .bool(false), "is_trusted_sender": .bool(true),
            "is_exempt_recipient": .bool(false), "is_acceptable_sender": .bool(true), "verify_sender": .bool(true),
            "comments": comments.map(JSONValue.string) ?? .null,
        ])
        return try PolicyFields.parse(body, notices: &notices)
    }

    @Test func aBatchReadsBackAsSent() throws {
        let ids = (0..<3).map { _ in PolicyID.timeOrdered() }
        var edit = PolicyEdit()
        edit.comments = .some(nil)
        edit.isTrustedSender = false
        edit.pattern = "new.example"
        let sent = BatchRequest(
            deletes: [.init(id: ids[0])], patches: [.init(id: ids[1], edit: edit)],
            puts: [.init(id: ids[2], fields: try fields("Ceo+x@Example.com", .email, comments: "quote \" and \n"))],
            posts: [.init(fields: try fields("192.0.2.0/24", .ip, comments: nil))])
        var notices: [ErrorItem] = []
        let read = try BatchRequest.parse(try JSONValue.parse(APIBodies.batch(sent).jsonBytes()), notices: &notices)
        #expect(read.deletes.map(\.id) == [ids[0]])
        #expect(read.patches.map(\.id) == [ids[1]] && read.patches.map(\.edit) == [edit])
        #expect(read.puts.map(\.id) == [ids[2]] && read.puts.map(\.fields) == sent.puts.map(\.fields))
        #expect(read.posts.map(\.fields) == sent.posts.map(\.fields))
        #expect(notices.isEmpty)
    }

    @Test func listParametersReadBackAsSent() throws {
        var query = ListQuery()
        query.page = 3
        query.perPage = 7
        query.order = .pattern
        query.direction = .desc
        query.search = "a+b&c=d é"
        query.patternType = .domain
        query[.verifySender] = true
        query[.isTrustedSender] = false
        #expect(try ListQuery.parse(APIBodies.parameters(query)) == query)
    }

    @Test func aRefusalReadsBackAsTheServersError() throws {
        let items = [
            ErrorItem(code: .missingField, message: "pattern is required", pointer: "/pattern"),
            ErrorItem(code: .invalidValue, message: "page must be a positive integer", parameter: "page"),
        ]
        #expect(throws: SafelistError(.invalid, items)) {
            try APIAnswer.envelope(status: 400, body: EnvelopeJSON.failure(items))
        }
        #expect(throws: SafelistError.self) { try APIAnswer.envelope(status: 502, body: Array("<html>".utf8)) }
        let policy = AllowPolicy(
            accountID: AccountID(String(repeating: "a", count: 32))!, fields: try fields("x.example", .domain, comments: "c"), now: .now())
        let envelope = try APIAnswer.envelope(status: 200, body: EnvelopeJSON.success(PolicyJSON(policy: policy)))
        #expect(try APIAnswer.policy(envelope["result"] ?? .null, account: policy.accountID) == policy)
    }
}
