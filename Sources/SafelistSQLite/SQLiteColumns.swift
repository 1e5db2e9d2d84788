import GRDB
import GRDBSQLite
import SafelistCore
import SafelistSQL

/// The row a statement is on, read with SQLite's own column functions. GRDB's `Row.fetchAll`
/// copies every row into `DatabaseValue`s and decodes each column through generic code that is
/// not specialised across modules: a third of an export's time, and of a list page's.
struct SQLiteColumns: PolicyRowReader {
    let statement: SQLiteStatement

    func text(_ index: Int) throws -> String {
        guard let text = try optionalText(index) else {
            throw SafelistError.internalError("A stored policy row has NULL in column \(index)")
        }
        return text
    }

    func optionalText(_ index: Int) throws -> String? {
        let column = Int32(index)
        guard sqlite3_column_type(statement, column) != SQLITE_NULL, let bytes = sqlite3_column_text(statement, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
    }

    func integer(_ index: Int) throws -> Int64 { sqlite3_column_int64(statement, Int32(index)) }

    func boolean(_ index: Int) throws -> Bool { sqlite3_column_int64(statement, Int32(index)) != 0 }

    func policyID(_ index: Int) throws -> PolicyID { try key(index).policyID }

    func accountID(_ index: Int) throws -> AccountID { try key(index).account() }

    private func key(_ index: Int) throws -> PackedKey {
        let column = Int32(index)
        guard sqlite3_column_type(statement, column) == SQLITE_BLOB, let bytes = sqlite3_column_blob(statement, column),
            let key = PackedKey(bytes: UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))))
        else { throw SafelistError.internalError("A stored policy row has no 16-byte key in column \(index)") }
        return key
    }
}

extension SQLiteStore {
    /// The policies a `PolicyTable.selectList` statement reads, stepped by GRDB's cursor and
    /// read in place.
    static func policies(_ statement: Statement, arguments: StatementArguments) throws -> [AllowPolicy] {
        var policies: [AllowPolicy] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        let columns = SQLiteColumns(statement: statement.sqliteStatement)
        while try rows.next() != nil { policies.append(try PolicyTable.decode(columns)) }
        return policies
    }
}

extension SQLiteStore: PolicyExportSource {
    /// One read transaction (WAL: writers go on meanwhile), one statement stepped to the end.
    public func forEachPolicy(account: AccountID, batch: Int, _ body: @escaping @Sendable ([AllowPolicy]) throws -> Void) async throws {
        try await read { db in
            let statement = try db.makeStatement(sql: ListSQL.everyPolicy(.sqlite))
            let rows = try Row.fetchCursor(statement, arguments: [PackedKey(account).data])
            let columns = SQLiteColumns(statement: statement.sqliteStatement)
            var policies: [AllowPolicy] = []
            policies.reserveCapacity(batch)
            while try rows.next() != nil {
                policies.append(try PolicyTable.decode(columns))
                if policies.count == batch {
                    try body(policies)
                    policies.removeAll(keepingCapacity: true)
                }
            }
            if !policies.isEmpty { try body(policies) }
        }
    }
}
