import GRDB
import SafelistCore
import SafelistSQL

extension SQLiteStore: AuditLog {
    public func audit(account: AccountID, query: AuditQuery) async throws -> AuditPage {
        let read = AuditSQL.Read(.sqlite, account: account, query: query)
        return try await self.read { db in
            let total = try Int.fetchOne(db.cachedStatement(sql: read.count.sql), arguments: StatementArguments(read.count.arguments)) ?? 0
            guard let page = read.page else { return AuditPage(entries: [], totalCount: total) }
            let entries = try Row.fetchAll(db.cachedStatement(sql: page.sql), arguments: StatementArguments(page.arguments))
                .map(AuditSQL.decode)
            let current = try Self.fetch(db, account: account, ids: AuditSQL.unresolvedCreates(entries))
            return AuditPage(entries: AuditSQL.resolveCreates(entries, current: current), totalCount: total)
        }
    }

    public func pruneAudit(olderThan cutoff: Timestamp, limit: Int) async throws -> Int {
        try await write { db in
            let head = try Row.fetchAll(db.cachedStatement(sql: AuditSQL.head(.sqlite)), arguments: [limit])
                .map { (sequence: $0[0] as Int64, at: $0[1] as Int64) }
            guard let through = AuditSQL.pruneThrough(head, cutoff: cutoff) else { return 0 }
            try db.cachedStatement(sql: AuditSQL.deleteThrough(.sqlite)).execute(arguments: [through.sequence])
            return through.count
        }
    }

    static func recordAudit(_ db: Database, _ entries: [AuditEntry]) throws {
        let statement = try DirectStatement(cached: db, sql: AuditSQL.insert(.sqlite))
        for entry in entries { try statement.run(AuditSQL.values(entry, .sqlite)) }
    }
}
