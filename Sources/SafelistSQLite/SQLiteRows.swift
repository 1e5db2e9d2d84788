import GRDB
import SafelistCore
import SafelistSQL

extension Row: PolicyRowReader {
    public func text(_ index: Int) throws -> String { self[index] }
    public func optionalText(_ index: Int) throws -> String? { self[index] }
    public func integer(_ index: Int) throws -> Int64 { self[index] }
    public func boolean(_ index: Int) throws -> Bool { self[index] }
}

extension StatementArguments {
    init(_ values: [SQLValue]) {
        self.init(
            values.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .text(let text): text
                case .integer(let number): number
                case .boolean(let flag): flag
                case .null: nil
                }
            })
    }
}
