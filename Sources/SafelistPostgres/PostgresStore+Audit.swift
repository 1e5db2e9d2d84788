import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresStore: AuditLog {
    public func audit(account: AccountID, query: AuditQuery) async throws -> AuditPage {
        let read = AuditSQL.Read(.postgres, account: account, query: query)
        let logger = logger
        return try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
            var total = 0
            for try await count in try await connection.query(PostgresQuery(read.count.sql, read.count.arguments), logger: logger)
                .decode(Int.self)
            {
                total = count
            }
            guard let page = read.page else { return AuditPage(entries: [], totalCount: total) }
            var entries: [AuditEntry] = []
            for try await row in try await connection.query(PostgresQuery(page.sql, page.arguments), logger: logger) {
                entries.append(try AuditSQL.decode(row.makeRandomAccess()))
            }
            let current = try await Self.fetch(connection, account: account, ids: AuditSQL.unresolvedCreates(entries), logger: logger)
            return AuditPage(entries: AuditSQL.resolveCreates(entries, current: current), totalCount: total)
        }
    }

    public func pruneAudit(olderThan cutoff: Timestamp, limit: Int) async throws -> Int {
        let logger = logger
        return try await transaction { connection in
            var head: [(sequence: Int64, at: Int64)] = []
            for try await row in try await connection.query(PostgresQuery(AuditSQL.head(.postgres), [.integer(Int64(limit))]), logger: logger)
                .decode((Int64, Int64).self)
            {
                head.append((row.0, row.1))
            }
            guard let through = AuditSQL.pruneThrough(head, cutoff: cutoff) else { return 0 }
            try await connection.query(PostgresQuery(AuditSQL.deleteThrough(.postgres), [.integer(through.sequence)]), logger: logger)
            return through.count
        }
    }

    /// `AuditSQL.insertMany`'s nine parameters after the account: the origin, then the arrays.
    static func appendAuditBindings(_ entries: [AuditEntry], origin: ChangeOrigin, to bindings: inout PostgresBindings) {
        let columns = AuditSQL.columns(entries)
        bindings.append(origin.channel.rawValue)
        bindings.append(origin.actor)
        bindings.append(origin.client)
        bindings.append(origin.requestID)
        bindings.append(columns.policies)
        bindings.append(columns.actions)
        bindings.append(columns.at)
        bindings.append(columns.before)
        bindings.append(columns.after)
    }
}
