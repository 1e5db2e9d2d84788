import Foundation
import SafelistCore
import SafelistWire

/// `safelist-bench encode [--rounds N]`
///
/// Writes a list answer of 1,000 policies (the v4 envelope with `result_info`) the way the list
/// route does, and, alternating round by round, the same answer through Foundation's
/// `JSONEncoder` with sorted keys, as the server wrote it before `JSONWriter`. Prints the
/// milliseconds a page took, the range over the rounds: the encoding alone, without the store's
/// read or the network (issue 16's "a page of 1000 encoded in ≤ 5 ms").
struct EncodeBenchmark {
    let rounds: Int
    let pageSize = 1000

    init(_ arguments: ArraySlice<String>) throws {
        rounds = try BenchUsage.rounds(arguments, default: 7)
    }

    func run() throws {
        guard let account = AccountID("023e105f4ecef8ad9ca31a8372d0c353") else { return }
        let now = Timestamp.now()
        let policies = (0..<pageSize).map { index in
            index % 10 == 9 ? BenchCorpus.regex(index, account: account, now: now) : BenchCorpus.literal(index, account: account, now: now)
        }
        let info = ResultInfo(page: 1, perPage: pageSize, count: pageSize, totalCount: 1_000_000)
        let codable = policies.map(CodablePolicy.init)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var writer: [Double] = [], foundation: [Double] = []
        var bytes = 0
        // Enough pages a round that a round lasts a fraction of a second.
        let pages = 40
        for _ in 0..<rounds {
            writer.append(
                try time(pages) {
                    bytes = EnvelopeJSON.success(policies.map(PolicyJSON.init), info: info).count
                })
            foundation.append(
                try time(pages) {
                    _ = try encoder.encode(
                        CodableEnvelope(result: codable, resultInfo: CodableInfo(page: 1, perPage: pageSize, count: pageSize, totalCount: 1_000_000)))
                })
        }
        print("a list page of \(pageSize) policies (\(bytes) bytes), ms a page, range over \(rounds) rounds")
        print(String(format: "JSONWriter (the list route)        %.2f–%.2f", writer.min() ?? 0, writer.max() ?? 0))
        print(String(format: "JSONEncoder, sorted keys (before)  %.2f–%.2f", foundation.min() ?? 0, foundation.max() ?? 0))
    }

    private func time(_ pages: Int, _ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<pages { try body() }
        return seconds(clock.now - start) * 1000 / Double(pages)
    }
}

/// The same answer as Codable values: the baseline's shape.
private struct CodablePolicy: Encodable {
    let id: String, createdAt: String, modifiedAt: String, lastModified: String
    let pattern: String, patternType: String, isRegex: Bool, comments: String?
    let isTrustedSender: Bool, isExemptRecipient: Bool, isAcceptableSender: Bool, verifySender: Bool
    let isSender: Bool, isRecipient: Bool, isSpoof: Bool

    enum CodingKeys: String, CodingKey {
        case id, pattern, comments
        case createdAt = "created_at", modifiedAt = "modified_at", lastModified = "last_modified", patternType = "pattern_type"
        case isRegex = "is_regex", isTrustedSender = "is_trusted_sender", isExemptRecipient = "is_exempt_recipient"
        case isAcceptableSender = "is_acceptable_sender", verifySender = "verify_sender"
        case isSender = "is_sender", isRecipient = "is_recipient", isSpoof = "is_spoof"
    }

    init(_ policy: AllowPolicy) {
        id = policy.id.rawValue
        createdAt = policy.createdAt.rfc3339
        modifiedAt = policy.modifiedAt.rfc3339
        lastModified = modifiedAt
        pattern = policy.pattern
        patternType = policy.patternType.rawValue
        isRegex = policy.isRegex
        comments = policy.comments
        isTrustedSender = policy.isTrustedSender
        isExemptRecipient = policy.isExemptRecipient
        isAcceptableSender = policy.isAcceptableSender
        verifySender = policy.verifySender
        isSender = policy.isTrustedSender
        isRecipient = policy.isExemptRecipient
        isSpoof = policy.isAcceptableSender
    }
}

private struct CodableInfo: Encodable {
    let page: Int, perPage: Int, count: Int, totalCount: Int
    enum CodingKeys: String, CodingKey { case page, perPage = "per_page", count, totalCount = "total_count" }
}

private struct CodableEnvelope: Encodable {
    let result: [CodablePolicy]
    let resultInfo: CodableInfo
    let success = true
    let errors: [String] = [], messages: [String] = []
    enum CodingKeys: String, CodingKey { case result, resultInfo = "result_info", success, errors, messages }
}
