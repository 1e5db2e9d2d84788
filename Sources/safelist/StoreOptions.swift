import ArgumentParser
import Foundation
import SafelistSQLite

/// `--database`, shared by every subcommand; `SAFELIST_DATABASE` when the flag is absent.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (env SAFELIST_DATABASE; default ./safelist.sqlite).")
    var database: String?

    @Option(name: .long, help: "SQLite synchronous mode: full or normal (env SAFELIST_SQLITE_SYNCHRONOUS; default full).")
    var sqliteSynchronous: String?

    func openStore() throws -> SQLiteStore {
        let location = database ?? Environment.value("SAFELIST_DATABASE") ?? "./safelist.sqlite"
        if location.contains("://") {
            throw ValidationError("--database takes a SQLite file path; '\(location)' looks like a URL, which this version does not support")
        }
        var options = SQLiteStore.Options()
        if let mode = sqliteSynchronous ?? Environment.value("SAFELIST_SQLITE_SYNCHRONOUS") {
            guard let parsed = SQLiteStore.Options.Synchronous(rawValue: mode.uppercased()) else {
                throw ValidationError("--sqlite-synchronous must be full or normal, not '\(mode)'")
            }
            options.synchronous = parsed
        }
        return try SQLiteStore(path: location, options: options)
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
