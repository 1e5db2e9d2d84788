import Foundation
import GRDB

/// Why a SQLite database could not be opened, in words that name the file and say what to do:
/// the server and the commands print it as it is.
public struct SQLiteOpenError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }

    /// From `errno` of the file's creation.
    static func creating(_ path: String, errno code: Int32) -> SQLiteOpenError {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let reason = String(cString: strerror(code))
        switch code {
        case ENOENT:
            return SQLiteOpenError(
                "cannot create the database \(path): the directory \(directory) does not exist; create it (mkdir -p \(directory)) or pass another --database"
            )
        case EACCES, EPERM, EROFS:
            return SQLiteOpenError(
                "cannot create the database \(path): \(reason); run as a user who may write to \(directory), or pass a --database path in a directory you own"
            )
        case EISDIR:
            return directoryGiven(path)
        default:
            return SQLiteOpenError("cannot create the database \(path): \(reason)")
        }
    }

    /// From SQLite's answer while opening, configuring or migrating the file.
    static func opening(_ path: String, _ error: DatabaseError) -> SQLiteOpenError {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let detail = error.message ?? "\(error.resultCode)"
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return directoryGiven(path)
        }
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return SQLiteOpenError(
                "\(path) is not a SQLite database (\(detail)); pass the path of Safelist's database with --database, or a new path to create one")
        case .SQLITE_CORRUPT:
            return SQLiteOpenError("the database \(path) is damaged (\(detail)); restore it from a backup (docs/operations.md, \"Upgrades\")")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return SQLiteOpenError(
                "the database \(path) cannot be written (\(detail)); the server needs to write the file and its directory \(directory) (for the -wal and -shm files): fix their owner or mode"
            )
        case .SQLITE_CANTOPEN:
            return SQLiteOpenError(
                "cannot open the database \(path) (\(detail)); check that the file and its directory \(directory) exist and are readable and writable by this user"
            )
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return SQLiteOpenError(
                "the database \(path) stayed locked by another process (\(detail)); stop whatever holds it, or wait for it (another Safelist on the same file is fine; a copy tool, an open transaction or a large `safelist policy import` started while no server had the file open is not) and try again"
            )
        case .SQLITE_FULL, .SQLITE_IOERR:
            return SQLiteOpenError(
                "the database \(path) could not be written (\(detail)); check the free space and health of the disk holding \(directory)")
        default:
            return SQLiteOpenError("cannot open the database \(path): \(detail)")
        }
    }

    private static func directoryGiven(_ path: String) -> SQLiteOpenError {
        SQLiteOpenError("cannot use \(path) as the database: it is a directory; pass a file path, such as \(path)/safelist.sqlite")
    }
}
