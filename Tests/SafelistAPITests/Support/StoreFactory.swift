import SafelistSQLite

enum SafelistSQLiteStoreFactory {
    static func open(_ path: String) throws -> SQLiteStore {
        var options = SQLiteStore.Options()
        options.synchronous = .normal
        return try SQLiteStore(path: path, options: options)
    }
}
