import Foundation
import SafelistCore
import SafelistSQLite

/// The backends the store contract runs on. PostgreSQL joins this list in its own issue.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite

    static var available: [StoreKind] { allCases }

    var description: String { rawValue }

    func open() throws -> any PolicyStore & CredentialStore {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safelist-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
        }
    }
}

let account = AccountID(String(repeating: "a", count: 32))!
let otherAccount = AccountID(String(repeating: "b", count: 32))!

func fields(_ pattern: String, _ type: PatternType = .email, regex: Bool = false, comments: String? = nil) throws -> PolicyFields {
    PolicyFields(pattern: try PatternValidator.validate(pattern, type: type, isRegex: regex), patternType: type,
                 isRegex: regex, isTrustedSender: true, isExemptRecipient: false, isAcceptableSender: false,
                 verifySender: false, comments: comments)
}
