import Foundation
import SafelistCore
import SafelistSQL
import SafelistTesting
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
    @Test func bothDialectsWriteEveryColumn() throws {
        let sample = try Self.sample()
        let columns = PolicyTable.columns.count
        #expect(PolicyTable.insert(.sqlite).components(separatedBy: "?").count - 1 == columns)
        #expect(PolicyTable.insert(.postgres).contains("$\(columns))"))
        let mutable = PolicyTable.columns.filter { !["id", "account_id", "created_at"].contains($0.name) }.count
        #expect(PolicyTable.update(.sqlite, from: nil, to: sample).sql.hasSuffix("WHERE id = ?\(mutable + 1) AND account_id = ?\(mutable + 2)"))
        #expect(PolicyTable.update(.postgres, from: nil, to: sample).values.count == mutable + 2)
        #expect(PolicyTable.create(.sqlite).contains("id TEXT NOT NULL UNIQUE"))
        #expect(PolicyTable.create(.postgres).contains(#"id text COLLATE "C" PRIMARY KEY"#))
    }

    /// An edit sets only what changed: SQLite rewrites every index entry and fires every count
    /// trigger naming a column in the SET list, changed or not.
    @Test func anEditSetsOnlyTheColumnsThatChanged() throws {
        let sample = try Self.sample()
        var comments = sample
        comments.comments = "changed"
        comments.modifiedAt = Timestamp(microseconds: comments.modifiedAt.microseconds + 1)
        let update = PolicyTable.update(.sqlite, from: sample, to: comments)
        #expect(update.sql == "UPDATE policies SET comments = ?1, comments_folded = ?2, modified_at = ?3 WHERE id = ?4 AND account_id = ?5")
        #expect(
            update.values == [
                .text("changed"), .text("changed"), .integer(comments.modifiedAt.microseconds),
                .key(PackedKey(comments.id)), .key(PackedKey(comments.accountID)),
            ])
        #expect(
            PolicyTable.update(.postgres, from: sample, to: comments).values.suffix(2)
                == [.text(comments.id.rawValue), .text(comments.accountID.rawValue)])
        var flag = comments
        flag.isExemptRecipient.toggle()
        #expect(
            PolicyTable.update(.postgres, from: comments, to: flag).sql
                == "UPDATE policies SET is_exempt_recipient = $1 WHERE id = $2 AND account_id = $3")
    }

    static func sample() throws -> AllowPolicy {
        AllowPolicy(accountID: account, fields: try fields("a@b.example"), now: Timestamp(microseconds: 1))
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

    /// The hand-written parser reads every canonical UUID as Foundation does, and nothing else:
    /// Foundation's (through `sscanf`) also takes a space or a stray hyphen in place of a
    /// digit, which an id never has.
    @Test func policyIDParsingAgreesWithFoundation() {
        var generator = SplitMix(seed: 11)
        let alphabet = Array("0123456789abcdefABCDEFgG-xz {}".utf8)
        for _ in 0..<20_000 {
            var bytes = Array(UUID().uuidString.utf8)
            for _ in 0..<Int(generator.next() % 3) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let canonical = text.wholeMatch(of: #/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/#) != nil
            if canonical {
                #expect(PolicyID(text)?.uuid == UUID(uuidString: text), "\(text)")
            } else {
                #expect(PolicyID(text) == nil, "\(text)")
            }
        }
    }
}
