import Foundation
import SafelistTesting
import SafelistWire
import Testing

@testable import SafelistCore

@Suite("Timestamps, list queries and the write planner")
struct TimestampAndQueryTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (Int64(1_388_553_600_123_450), "2014-01-01T05:20:00.123450Z"),
        (Int64(951_782_400_000_001), "2000-02-29T00:00:00.000001Z"),
        (Int64(-1), "1969-12-31T23:59:59.999999Z"),
        (Int64(4_102_444_800_000_000), "2100-01-01T00:00:00.000000Z"),
        (Int64(253_402_300_799_999_999), "9999-12-31T23:59:59.999999Z"),
        (Int64(253_402_300_800_000_000), "10000-01-01T00:00:00.000000Z"),
    ])
    func rfc3339(micros: Int64, text: String) {
        #expect(Timestamp(microseconds: micros).rfc3339 == text)
    }

    @Test func parsesTypedTimes() {
        #expect(Timestamp(rfc3339: "2030-01-01T00:00:00Z")?.rfc3339 == "2030-01-01T00:00:00.000000Z")
        #expect(Timestamp(rfc3339: "2030-01-01T01:00:00+01:00")?.rfc3339 == "2030-01-01T00:00:00.000000Z")
        #expect(Timestamp(rfc3339: "tomorrow") == nil)
    }

    @Test func listDefaultsAndOffsets() throws {
        let defaults = try ListQuery.parse([])
        #expect(defaults.page == 1 && defaults.perPage == 20 && defaults.order == .createdAt && defaults.direction == .asc)
        let deep = try ListQuery.parse([("page", "1000"), ("per_page", "1000")])
        #expect(deep.offset == 999_000)
        let huge = try ListQuery.parse([("page", "\(Int.max)"), ("per_page", "1000")])
        #expect(huge.offset == nil)
        let filtered = try ListQuery.parse([("is_trusted_sender", "false"), ("verify_sender", "true"), ("search", "")])
        #expect(filtered.flagFilters.map(\.flag.rawValue) == ["is_trusted_sender", "verify_sender"])
        #expect(filtered.search == nil)
    }

    @Test func plannerOrdersTimesAndChecksOwnership() throws {
        let fields = try PolicyFields.parse(
            .object([
                "pattern": .string("a@b.com"), "pattern_type": .string("EMAIL"), "is_regex": .bool(false),
                "is_trusted_sender": .bool(true), "is_exempt_recipient": .bool(false),
                "is_acceptable_sender": .bool(false), "verify_sender": .bool(false),
            ]), notices: &discard)
        var second = fields
        second.pattern = CanonicalPattern(stored: "c@d.com", matchKey: "c@d.com")
        let frozen = Timestamp(microseconds: 42)
        let plan = try WritePlanner.plan(
            BatchRequest(posts: [.init(fields: fields), .init(fields: second)]), account: account, existing: [:],
            clock: { frozen })
        #expect(plan.result.posts.map(\.createdAt.microseconds) == [42, 43])

        let foreign = AllowPolicy(accountID: other, fields: fields, now: frozen)
        #expect(throws: SafelistError.policyNotFound(pointer: nil)) {
            _ = try WritePlanner.plan(.delete(foreign.id), account: account, existing: [foreign.id: foreign])
        }
    }

    let account = AccountID(String(repeating: "a", count: 32))!
    let other = AccountID(String(repeating: "b", count: 32))!
}

nonisolated(unsafe) private var discard: [ErrorItem] = []

@Suite("Policy ids: ordered as their text")
struct PolicyIDOrderTests {
    @Test func orderIsTheOrderOfTheCanonicalText() {
        var ids = (0..<500).map { _ in PolicyID(uuid: UUID()) } + (0..<100).map { _ in PolicyID.timeOrdered() }
        ids += [
            "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-ffff-ffffffffffff", "00000000-0000-0001-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff", "7fffffff-ffff-ffff-0000-000000000000", "80000000-0000-0000-0000-000000000000",
        ]
        .compactMap(PolicyID.init)
        #expect(ids.sorted().map(\.rawValue) == ids.map(\.rawValue).sorted())
        for (left, right) in zip(ids, ids.reversed()) {
            #expect((left < right) == (left.rawValue < right.rawValue))
        }
    }

    /// New ids sort by the millisecond they were made in, so inserts append to the id index.
    @Test func newIdsAreVersion7UUIDsInTimeOrder() throws {
        let early = PolicyID.timeOrdered(milliseconds: 1_700_000_000_000)
        let later = PolicyID.timeOrdered(milliseconds: 1_700_000_000_001)
        #expect(early < later)
        #expect(early.rawValue.hasPrefix("018bcfe5-6800-7"))
        let text = PolicyID.timeOrdered().rawValue
        let variant = text[text.index(text.startIndex, offsetBy: 19)]
        #expect(text[text.index(text.startIndex, offsetBy: 14)] == "7")
        #expect("89ab".contains(variant))
        #expect(PolicyID(text)?.rawValue == text)
        // 74 random bits: two ids of the same millisecond differ.
        let same = Set((0..<1000).map { _ in PolicyID.timeOrdered(milliseconds: 1).rawValue })
        #expect(same.count == 1000)
    }

    /// The random bits come from a shared pool refilled every 409 ids: threads drawing at once
    /// never get the same bits.
    @Test func idsMadeOnManyThreadsDiffer() async {
        let made = await withTaskGroup(of: [PolicyID].self) { group in
            for _ in 0..<4 { group.addTask { (0..<3000).map { _ in PolicyID.timeOrdered(milliseconds: 1) } } }
            return await group.reduce(into: [PolicyID]()) { $0 += $1 }
        }
        #expect(Set(made).count == 12_000)
    }
}

@Suite("Timestamps read back exactly")
struct TimestampRoundTripTests {
    @Test func writtenTimesParseToTheMicrosecond() {
        var generator = SplitMix(seed: 7)
        for _ in 0..<2000 {
            let time = Timestamp(microseconds: Int64(generator.next() % 8_000_000_000_000_000) - 1_000_000_000_000_000)
            #expect(Timestamp(rfc3339: time.rfc3339) == time, "\(time.rfc3339)")
        }
        #expect(Timestamp(rfc3339: "2030-01-01T00:00:00Z")?.microseconds == 1_893_456_000_000_000)
        #expect(Timestamp(rfc3339: "2030-01-01T00:00:00.5Z")?.microseconds == 1_893_456_000_500_000)
        #expect(Timestamp(rfc3339: "2030-01-01T01:00:00+01:00")?.microseconds == 1_893_456_000_000_000)
        #expect(Timestamp(rfc3339: "2030-13-01T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "yesterday") == nil)
    }
}
