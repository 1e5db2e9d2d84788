import NIOCore
import NIOEmbedded
import Testing

@testable import SafelistMail

/// The policy protocol's framing (SMTPD_POLICY_README): `name=value` lines, an empty line ends a
/// request; anything else closes the connection.
@Suite("Postfix policy: reading requests")
struct PolicyRequestDecoderTests {
    func decode(_ chunks: [String]) throws -> [PolicyRequest] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PolicyRequestDecoder()))
        for chunk in chunks { try channel.writeInbound(ByteBuffer(string: chunk)) }
        var requests: [PolicyRequest] = []
        while let request = try channel.readInbound(as: PolicyRequest.self) { requests.append(request) }
        return requests
    }

    @Test func requestsInAnyOrderWithUnknownAndEmptyAttributes() throws {
        let requests = try decode([
            "recipient=a@b.example\nrequest=smtpd_access_policy\nfuture_attribute=x=y\nsender=\n\nprotocol_state=RCPT\nrequest=smtpd_access_policy\n\n"
        ])
        #expect(requests.count == 2)
        #expect(requests[0]["recipient"] == "a@b.example" && requests[0]["future_attribute"] == "x=y")
        #expect(requests[0]["sender"] == "" && requests[0].value("sender") == nil)
        #expect(requests[1]["protocol_state"] == "RCPT" && requests[1]["recipient"] == nil)
    }

    @Test func requestsCutAnywhereAndCRLFLines() throws {
        let text = "request=smtpd_access_policy\r\nsender=s@x.example\r\nsender=t@x.example\r\n\r\n"
        let requests = try decode(text.map { String($0) })
        #expect(requests == [PolicyRequest(["request": "smtpd_access_policy", "sender": "t@x.example"])])
    }

    @Test(arguments: [
        "request=smtpd_access_policy\nno equals sign\n\n",
        "=value\n\n",
        "name=" + String(repeating: "x", count: PolicyRequestDecoder.maximumLineBytes + 10) + "\n\n",
        String(repeating: "x", count: PolicyRequestDecoder.maximumLineBytes + 10),
        String(repeating: "a=b\n", count: PolicyRequestDecoder.maximumAttributes + 1),
    ])
    func garbageIsAnError(_ text: String) {
        #expect(throws: PolicyProtocolError.self) { _ = try decode([text]) }
    }
}
