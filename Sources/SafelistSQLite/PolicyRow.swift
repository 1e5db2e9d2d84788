import GRDB
import SafelistCore

/// The mapping between `AllowPolicy` and a `policies` row.
enum PolicyRow {
    static let columns = """
        id, account_id, pattern, match_key, pattern_type, is_regex, is_trusted_sender, \
        is_exempt_recipient, is_acceptable_sender, verify_sender, comments, created_at, modified_at
        """

    /// The case-folded copies `search` compares with, computed here once per write rather than
    /// once per row and search (a Swift function called from SQL made a million-row search 3 s).
    static let insertSQL = """
        INSERT INTO policies (\(columns), pattern_folded, comments_folded) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let updateSQL = """
        UPDATE policies SET pattern = ?, match_key = ?, pattern_type = ?, is_regex = ?, \
        is_trusted_sender = ?, is_exempt_recipient = ?, is_acceptable_sender = ?, verify_sender = ?, \
        comments = ?, modified_at = ?, pattern_folded = ?, comments_folded = ? WHERE id = ? AND account_id = ?
        """

    static func insertArguments(_ p: AllowPolicy) -> StatementArguments {
        [p.id.rawValue, p.accountID.rawValue, p.pattern, p.matchKey, p.patternType.rawValue, p.isRegex,
         p.isTrustedSender, p.isExemptRecipient, p.isAcceptableSender, p.verifySender, p.comments,
         p.createdAt.microseconds, p.modifiedAt.microseconds, ListQuery.fold(p.pattern), p.comments.map(ListQuery.fold)]
    }

    static func updateArguments(_ p: AllowPolicy) -> StatementArguments {
        [p.pattern, p.matchKey, p.patternType.rawValue, p.isRegex, p.isTrustedSender, p.isExemptRecipient,
         p.isAcceptableSender, p.verifySender, p.comments, p.modifiedAt.microseconds, ListQuery.fold(p.pattern),
         p.comments.map(ListQuery.fold), p.id.rawValue, p.accountID.rawValue]
    }

    static func policy(_ row: Row) throws -> AllowPolicy {
        let accountText: String = row["account_id"]
        guard let account = AccountID(accountText) else {
            throw SafelistError(.internalError, code: ErrorCode.internalError, "Stored account id is malformed")
        }
        let typeText: String = row["pattern_type"]
        return AllowPolicy(
            id: PolicyID(trusted: row["id"]), accountID: account, pattern: row["pattern"],
            matchKey: row["match_key"], patternType: PatternType(rawValue: typeText) ?? .unknown,
            isRegex: row["is_regex"], isTrustedSender: row["is_trusted_sender"],
            isExemptRecipient: row["is_exempt_recipient"], isAcceptableSender: row["is_acceptable_sender"],
            verifySender: row["verify_sender"], comments: row["comments"],
            createdAt: Timestamp(microseconds: row["created_at"]),
            modifiedAt: Timestamp(microseconds: row["modified_at"])
        )
    }
}
