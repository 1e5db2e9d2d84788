import PostgresNIO
import SafelistCore

/// The mapping between `AllowPolicy` and a `policies` row.
enum PostgresPolicyRow {
    static let columns = """
        id, account_id, pattern, match_key, pattern_type, is_regex, is_trusted_sender, \
        is_exempt_recipient, is_acceptable_sender, verify_sender, comments, created_at, modified_at
        """

    /// Rows arrive as parallel arrays and are unnested server-side: one statement for a whole
    /// batch or a bulk load, instead of a round trip per row.
    static let insertSQL = """
        INSERT INTO policies (\(columns), pattern_folded, comments_folded)
        SELECT id, account_id, pattern, match_key, pattern_type, is_regex, is_trusted_sender, is_exempt_recipient,
               is_acceptable_sender, verify_sender, CASE WHEN has_comments THEN comments END, created_at, modified_at,
               pattern_folded, CASE WHEN has_comments THEN comments_folded END
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::bool[], $8::bool[],
                    $9::bool[], $10::bool[], $11::text[], $12::int8[], $13::int8[], $14::text[], $15::text[], $16::bool[])
            AS rows(id, account_id, pattern, match_key, pattern_type, is_regex, is_trusted_sender, is_exempt_recipient,
                    is_acceptable_sender, verify_sender, comments, created_at, modified_at, pattern_folded,
                    comments_folded, has_comments)
        """

    /// Arrays cannot carry NULL elements here, so absent comments travel as "" with a mask.
    static func insertBindings(_ policies: [AllowPolicy]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 16)
        bindings.append(policies.map(\.id.rawValue))
        bindings.append(policies.map(\.accountID.rawValue))
        bindings.append(policies.map(\.pattern))
        bindings.append(policies.map(\.matchKey))
        bindings.append(policies.map(\.patternType.rawValue))
        bindings.append(policies.map(\.isRegex))
        bindings.append(policies.map(\.isTrustedSender))
        bindings.append(policies.map(\.isExemptRecipient))
        bindings.append(policies.map(\.isAcceptableSender))
        bindings.append(policies.map(\.verifySender))
        bindings.append(policies.map { $0.comments ?? "" })
        bindings.append(policies.map(\.createdAt.microseconds))
        bindings.append(policies.map(\.modifiedAt.microseconds))
        bindings.append(policies.map { ListQuery.fold($0.pattern) })
        bindings.append(policies.map { $0.comments.map(ListQuery.fold) ?? "" })
        bindings.append(policies.map { $0.comments != nil })
        return bindings
    }

    static let updateSQL = """
        UPDATE policies SET pattern = $1, match_key = $2, pattern_type = $3, is_regex = $4,
            is_trusted_sender = $5, is_exempt_recipient = $6, is_acceptable_sender = $7, verify_sender = $8,
            comments = $9, modified_at = $10, pattern_folded = $11, comments_folded = $12
        WHERE id = $13 AND account_id = $14
        """

    static func updateBindings(_ p: AllowPolicy) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(p.pattern)
        bindings.append(p.matchKey)
        bindings.append(p.patternType.rawValue)
        bindings.append(p.isRegex)
        bindings.append(p.isTrustedSender)
        bindings.append(p.isExemptRecipient)
        bindings.append(p.isAcceptableSender)
        bindings.append(p.verifySender)
        bindings.append(p.comments)
        bindings.append(p.modifiedAt.microseconds)
        bindings.append(ListQuery.fold(p.pattern))
        bindings.append(p.comments.map(ListQuery.fold))
        bindings.append(p.id.rawValue)
        bindings.append(p.accountID.rawValue)
        return bindings
    }

    static func policies(_ rows: PostgresRowSequence) async throws -> [AllowPolicy] {
        var policies: [AllowPolicy] = []
        for try await row in rows {
            policies.append(try policy(row))
        }
        return policies
    }

    static func policy(_ row: PostgresRow) throws -> AllowPolicy {
        let (id, accountText, pattern, matchKey, typeText, isRegex, trusted, exempt, acceptable, verify, comments, created, modified) =
            try row.decode((String, String, String, String, String, Bool, Bool, Bool, Bool, Bool, String?, Int64, Int64).self)
        guard let account = AccountID(accountText) else {
            throw SafelistError(.internalError, code: ErrorCode.internalError, "Stored account id is malformed")
        }
        return AllowPolicy(
            id: PolicyID(trusted: id), accountID: account, pattern: pattern, matchKey: matchKey,
            patternType: PatternType(rawValue: typeText) ?? .unknown, isRegex: isRegex, isTrustedSender: trusted,
            isExemptRecipient: exempt, isAcceptableSender: acceptable, verifySender: verify, comments: comments,
            createdAt: Timestamp(microseconds: created), modifiedAt: Timestamp(microseconds: modified))
    }
}
