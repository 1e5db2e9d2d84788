import Foundation
import SafelistCore

public let account = AccountID(String(repeating: "a", count: 32))!
public let otherAccount = AccountID(String(repeating: "b", count: 32))!

public func fields(_ pattern: String, _ type: PatternType = .email, regex: Bool = false, comments: String? = nil) throws -> PolicyFields {
    PolicyFields(
        pattern: try PatternValidator.validate(pattern, type: type, isRegex: regex), patternType: type,
        isRegex: regex, isTrustedSender: true, isExemptRecipient: false, isAcceptableSender: false,
        verifySender: false, comments: comments)
}

/// Every list shape a store keeps on an index: both orders and directions, with no filter, a
/// type, one exact pattern, and each flag alone (set or unset).
public func everyListShape() -> [(name: String, query: ListQuery)] {
    var shapes: [(String, ListQuery)] = []
    for order in [ListQuery.Order.createdAt, .pattern] {
        for direction in [ListQuery.Direction.asc, .desc] {
            var base = ListQuery()
            base.order = order
            base.direction = direction
            shapes.append(("none", base))
            var q = base
            q.patternType = .domain
            shapes.append(("pattern_type", q))
            q = base
            q.pattern = "x@example.com"
            shapes.append(("pattern", q))
            for flag in 0..<4 {
                q = base
                switch flag {
                case 0: q.isTrustedSender = true
                case 1: q.isExemptRecipient = false
                case 2: q.isAcceptableSender = true
                default: q.verifySender = false
                }
                shapes.append(("flag \(flag)", q))
            }
        }
    }
    return shapes
}

/// A fresh directory for one test's database files.
public func temporaryDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}
