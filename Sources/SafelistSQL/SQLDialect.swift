import SafelistCore

/// The two SQL dialects Safelist writes. Everything both stores say the same way is built once,
/// from `PolicyTable`, with the dialect deciding only what differs: how a parameter is written,
/// column types, and a few functions.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The `n`th parameter (1-based), numbered in both dialects (`?n`, `$n`) so that a
    /// statement can use one parameter twice.
    public func parameter(_ n: Int) -> String {
        self == .sqlite ? "?\(n)" : "$\(n)"
    }

    func type(_ type: SQLColumnType, collated: Bool = false) -> String {
        switch (self, type) {
        // "C" collation in PostgreSQL: pattern order is byte order, as in SQLite, whatever the locale.
        case (.sqlite, .text): "TEXT"
        case (.postgres, .text): collated ? #"text COLLATE "C""# : "text"
        case (.sqlite, .integer): "INTEGER"
        case (.postgres, .integer): "bigint"
        case (.sqlite, .boolean): "INTEGER"
        case (.postgres, .boolean): "boolean"
        }
    }

    /// A boolean as a literal: SQLite stores it as an integer.
    func literal(_ value: Bool) -> String {
        switch self {
        case .sqlite: value ? "1" : "0"
        case .postgres: value ? "true" : "false"
        }
    }

    /// An account id as this dialect's tables hold it: its text in PostgreSQL, its sixteen bytes
    /// in SQLite (`PackedKey`).
    public func value(of account: AccountID) -> SQLValue {
        self == .sqlite ? .key(PackedKey(account)) : .text(account.rawValue)
    }

    /// A policy id as this dialect's tables hold it (see `value(of:)` for accounts).
    public func value(of id: PolicyID) -> SQLValue {
        self == .sqlite ? .key(PackedKey(id)) : .text(id.rawValue)
    }

    /// The position of `needle` in `haystack`, 0 when absent.
    func position(of needle: String, in haystack: String) -> String {
        self == .sqlite ? "instr(\(haystack), \(needle))" : "strpos(\(haystack), \(needle))"
    }
}

public enum SQLColumnType: Sendable {
    case text, integer, boolean
}

/// A value bound to a statement, in a form both drivers take.
public enum SQLValue: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    case boolean(Bool)
    /// Bound as a 16-byte blob (SQLite only).
    case key(PackedKey)
    case null
}

/// A statement's text in both dialects, built once. A write's statements are looked up in
/// GRDB's statement cache by their text on every use; building that text again each time cost
/// about 1 % of a create's CPU. Called like the function it replaces: `PolicyTable.insert(.sqlite)`.
public struct DialectStatement: Sendable {
    private let sqlite: String
    private let postgres: String

    init(_ build: (SQLDialect) -> String) {
        sqlite = build(.sqlite)
        postgres = build(.postgres)
    }

    public func callAsFunction(_ dialect: SQLDialect) -> String {
        dialect == .sqlite ? sqlite : postgres
    }
}
