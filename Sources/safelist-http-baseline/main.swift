import Foundation
import Hummingbird

// The yardstick of `scripts/bench-http`: what Hummingbird 2 does with no store, no engine and
// no auth, written as a service would be by hand. `GET …/allow_policies/:id` answers a fixed
// 15-field policy in the v4 envelope through Codable; `POST …/allow_policies` decodes a 10-field
// body and echoes it in the envelope. Safelist's routes are measured against these two.
//
//     safelist-http-baseline PORT

struct Policy: Codable {
    var id: String
    var createdAt: String
    var modifiedAt: String
    var lastModified: String
    var pattern: String
    var patternType: String
    var isRegex: Bool
    var comments: String?
    var isAcceptableSender: Bool
    var isExemptRecipient: Bool
    var isTrustedSender: Bool
    var verifySender: Bool
    var isSender: Bool
    var isRecipient: Bool
    var isSpoof: Bool

    enum CodingKeys: String, CodingKey {
        case id, pattern, comments
        case createdAt = "created_at", modifiedAt = "modified_at", lastModified = "last_modified"
        case patternType = "pattern_type", isRegex = "is_regex", isAcceptableSender = "is_acceptable_sender"
        case isExemptRecipient = "is_exempt_recipient", isTrustedSender = "is_trusted_sender"
        case verifySender = "verify_sender", isSender = "is_sender", isRecipient = "is_recipient", isSpoof = "is_spoof"
    }
}

struct NewPolicy: Codable {
    var pattern: String
    var patternType: String
    var isRegex: Bool?
    var comments: String?
    var isAcceptableSender: Bool
    var isExemptRecipient: Bool
    var isTrustedSender: Bool
    var verifySender: Bool
    var isSender: Bool?
    var isRecipient: Bool?

    enum CodingKeys: String, CodingKey {
        case pattern, comments
        case patternType = "pattern_type", isRegex = "is_regex", isAcceptableSender = "is_acceptable_sender"
        case isExemptRecipient = "is_exempt_recipient", isTrustedSender = "is_trusted_sender"
        case verifySender = "verify_sender", isSender = "is_sender", isRecipient = "is_recipient"
    }
}

struct Envelope<Result: Encodable>: Encodable {
    var success = true
    var errors: [String] = []
    var messages: [String] = []
    var result: Result
}

func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try JSONEncoder().encode(value)
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8081
let path = "/client/v4/accounts/:account/email-security/settings/allow_policies"
let router = Router()
router.get("\(path)/:id") { _, context in
    let id = try context.parameters.require("id")
    let policy = Policy(
        id: id, createdAt: "2026-11-30T04:00:00Z", modifiedAt: "2026-11-30T04:00:00Z", lastModified: "2026-11-30T04:00:00Z",
        pattern: "trusted@partner.example", patternType: "EMAIL", isRegex: false, comments: "a partner",
        isAcceptableSender: false, isExemptRecipient: false, isTrustedSender: true, verifySender: true,
        isSender: true, isRecipient: false, isSpoof: false)
    return try json(Envelope(result: policy))
}
router.post(RouterPath(path)) { request, context in
    let policy = try await request.decode(as: NewPolicy.self, context: context)
    return try json(Envelope(result: policy), status: .created)
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
