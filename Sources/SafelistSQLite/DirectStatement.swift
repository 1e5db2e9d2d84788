import GRDB
import GRDBSQLite
import SafelistSQL

/// A statement bound and stepped with SQLite's own functions: GRDB's `StatementArguments`
/// boxes every value as an existential and unboxes it to bind, which was a fifth of a
/// million-row import and a twentieth of a create's CPU through HTTP (docs/benchmarks.md,
/// "Writes bound directly"). A load's is made uncached; a write's is GRDB's cached statement,
/// which GRDB rebinds whole whenever it runs it with arguments, and nothing runs it without.
struct DirectStatement {
    private let statement: Statement
    private let connection: SQLiteConnection?

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        connection = db.sqliteConnection
    }

    init(cached db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        connection = db.sqliteConnection
    }

    func run(_ values: [SQLValue]) throws {
        let pointer = try bound(values)
        defer { sqlite3_reset(pointer) }
        let code = sqlite3_step(pointer)
        guard code == SQLITE_DONE else { throw failure(code) }
    }

    /// The first column of the one row the statement returns (a `RETURNING`), nil for none.
    func int64(_ values: [SQLValue]) throws -> Int64? {
        let pointer = try bound(values)
        defer { sqlite3_reset(pointer) }
        let code = sqlite3_step(pointer)
        switch code {
        case SQLITE_ROW: return sqlite3_column_int64(pointer, 0)
        case SQLITE_DONE: return nil
        default: throw failure(code)
        }
    }

    private func bound(_ values: [SQLValue]) throws -> OpaquePointer {
        let pointer = statement.sqliteStatement
        sqlite3_reset(pointer)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .text(let text):
                var text = text
                // The bytes and their length: a text with a NUL in it is stored whole.
                code = text.withUTF8 { sqlite3_bind_text(pointer, index, $0.baseAddress, Int32($0.count), Self.transient) }
            case .integer(let number): code = sqlite3_bind_int64(pointer, index, number)
            case .boolean(let flag): code = sqlite3_bind_int64(pointer, index, flag ? 1 : 0)
            case .key(let key): code = key.withBytes { sqlite3_bind_blob(pointer, index, $0.baseAddress, 16, Self.transient) }
            case .null: code = sqlite3_bind_null(pointer, index)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
        return pointer
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }

    /// SQLite copies the bytes before the bind returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
