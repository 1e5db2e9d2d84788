import GRDB
import GRDBSQLite
import SafelistSQL

/// A statement bound and stepped with SQLite's own functions, for bulk loads: GRDB's
/// `StatementArguments` boxes every value as an existential and unboxes it to bind, which was
/// a fifth of a million-row import. Made uncached, so GRDB never runs it with these bindings.
struct DirectStatement {
    private let statement: Statement
    private let connection: SQLiteConnection?

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        connection = db.sqliteConnection
    }

    func run(_ values: [SQLValue]) throws {
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
            case .null: code = sqlite3_bind_null(pointer, index)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
        let code = sqlite3_step(pointer)
        guard code == SQLITE_DONE else { throw failure(code) }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }

    /// SQLite copies the bytes before the bind returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
