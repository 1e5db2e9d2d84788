import Foundation
import GRDB
import SafelistCore
import SafelistSQL

extension Row: PolicyRowReader {
    public func text(_ index: Int) throws -> String { self[index] }
    public func optionalText(_ index: Int) throws -> String? { self[index] }
    public func integer(_ index: Int) throws -> Int64 { self[index] }
    public func boolean(_ index: Int) throws -> Bool { self[index] }
    public func policyID(_ index: Int) throws -> PolicyID { try PackedKey(self[index] as DatabaseValue).policyID }
    public func accountID(_ index: Int) throws -> AccountID { try PackedKey(self[index] as DatabaseValue).account() }
}

extension PackedKey {
    /// A stored key column: sixteen bytes, or the row is malformed.
    init(_ value: DatabaseValue) throws {
        guard case .blob(let data) = value.storage, let key = data.withUnsafeBytes(PackedKey.init(bytes:)) else {
            throw SafelistError.internalError("A stored key is not 16 bytes: \(value)")
        }
        self = key
    }

    /// The account these bytes spell.
    func account() throws -> AccountID {
        guard let account = accountID else { throw SafelistError.internalError("A stored account key does not make an account id") }
        return account
    }

    /// The bytes, for GRDB's arguments.
    var data: Data { withBytes { Data($0) } }
}

extension StatementArguments {
    init(_ values: [SQLValue]) {
        self.init(
            values.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .text(let text): text
                case .integer(let number): number
                case .boolean(let flag): flag
                case .key(let key): key.data
                case .null: nil
                }
            })
    }
}
