import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresRandomAccessRow: PolicyRowReader {
    public func text(_ index: Int) throws -> String { try self[index].decode(String.self) }
    public func optionalText(_ index: Int) throws -> String? { try self[index].decode(String?.self) }
    public func integer(_ index: Int) throws -> Int64 { try self[index].decode(Int64.self) }
    public func boolean(_ index: Int) throws -> Bool { try self[index].decode(Bool.self) }
}

extension PostgresQuery {
    init(_ sql: String, _ values: [SQLValue]) {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let number): bindings.append(number)
            case .boolean(let flag): bindings.append(flag)
            case .key(let key): bindings.append(key.withBytes { ByteBuffer(bytes: $0) })
            case .null: bindings.appendNull()
            }
        }
        self.init(unsafeSQL: sql, binds: bindings)
    }
}

/// PostgreSQL's bulk forms of `PolicyTable`'s writes, and reading its rows.
enum PostgresPolicyRows {
    static func policies(_ rows: PostgresRowSequence) async throws -> [AllowPolicy] {
        var policies: [AllowPolicy] = []
        for try await row in rows { policies.append(try PolicyTable.decode(row.makeRandomAccess())) }
        return policies
    }

    /// Rows arrive as parallel arrays, one per column, and are unnested server-side: one
    /// statement for a whole batch or a bulk load, instead of a round trip per row. Arrays
    /// cannot carry NULL elements here, so a nullable column travels with a mask of which rows
    /// have a value.
    static let insertSQL = insertSQL(from: 1)

    /// The arrays `insertBindings` makes, from parameter `first`.
    static let insertParameters = PolicyTable.columns.count + PolicyTable.columns.filter(\.nullable).count

    static func insertSQL(from first: Int) -> String {
        let columns = PolicyTable.columns
        let nullable = columns.filter(\.nullable)
        var arrays = columns.enumerated().map { "$\($0.offset + first)::\(arrayType($0.element.type))" }
        arrays += nullable.indices.map { "$\(columns.count + $0 + first)::bool[]" }
        let values = columns.map { column in
            guard let mask = nullable.firstIndex(where: { $0.name == column.name }) else { return column.name }
            return "CASE WHEN has_\(mask) THEN \(column.name) END"
        }
        let names = columns.map(\.name) + nullable.indices.map { "has_\($0)" }
        return """
            INSERT INTO policies (\(columns.map(\.name).joined(separator: ", ")))
            SELECT \(values.joined(separator: ", "))
            FROM unnest(\(arrays.joined(separator: ", "))) AS rows(\(names.joined(separator: ", ")))
            """
    }

    static func insertBindings(_ policies: [AllowPolicy]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: insertParameters)
        appendInsertBindings(policies, to: &bindings)
        return bindings
    }

    static func appendInsertBindings(_ policies: [AllowPolicy], to bindings: inout PostgresBindings) {
        let columns = PolicyTable.columns
        var masks: [[Bool]] = []
        for column in columns {
            let values = policies.map(column.value)
            switch column.type {
            case .text:
                bindings.append(values.map { if case .text(let text) = $0 { text } else { "" } })
                if column.nullable { masks.append(values.map { $0 != .null }) }
            case .integer:
                bindings.append(values.map { if case .integer(let number) = $0 { number } else { Int64(0) } })
            case .boolean:
                bindings.append(values.map { if case .boolean(let flag) = $0 { flag } else { false } })
            }
        }
        for mask in masks { bindings.append(mask) }
    }

    private static func arrayType(_ type: SQLColumnType) -> String {
        switch type {
        case .text: "text[]"
        case .integer: "int8[]"
        case .boolean: "bool[]"
        }
    }
}
