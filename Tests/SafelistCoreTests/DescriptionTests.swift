import Foundation
import SafelistCore
import SafelistSQL
import Testing

/// The things written once that everything else reads: the policy table's description, and the
/// policy id's text.
@Suite("One description: the policy table and the policy id")
struct DescriptionTests {
    /// `PolicyTable.decode` reads by position; this is the order it reads in.
    @Test func selectedColumnsAreInDecodeOrder() {
        #expect(
            PolicyTable.selected.map(\.name) == [
                "id", "account_id", "pattern", "match_key", "pattern_type", "is_regex", "is_trusted_sender",
                "is_exempt_recipient", "is_acceptable_sender", "verify_sender", "comments", "created_at", "modified_at",
            ])
    }

    /// Both dialects' statements come from the one column list.
    @Test func bothDialectsWriteEveryColumn() {
        let columns = PolicyTable.columns.count
        #expect(PolicyTable.insert(.sqlite).components(separatedBy: "?").count - 1 == columns)
        #expect(PolicyTable.insert(.postgres).contains("$\(columns))"))
        #expect(
            PolicyTable.update(.sqlite).contains(
                "WHERE id = ?\(PolicyTable.columns.filter { !["id", "account_id", "created_at"].contains($0.name) }.count + 1)"))
        #expect(PolicyTable.create(.sqlite).contains("id TEXT NOT NULL UNIQUE"))
        #expect(PolicyTable.create(.postgres).contains(#"id text COLLATE "C" PRIMARY KEY"#))
    }

    @Test func policyIDTextIsTheLowercaseUUID() {
        for _ in 0..<1000 {
            let uuid = UUID()
            let id = PolicyID(uuid: uuid)
            #expect(id.rawValue == uuid.uuidString.lowercased())
            #expect(PolicyID(id.rawValue) == id)
            #expect(PolicyID(uuid.uuidString) == id)
        }
        #expect(PolicyID("not-a-uuid") == nil)
        #expect(PolicyID("0123456789abcdef0123456789abcdef0123") == nil)
    }
}
