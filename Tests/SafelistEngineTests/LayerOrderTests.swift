import Foundation
import SafelistCore
import Testing

@testable import SafelistEngine

/// A layer's policies are in (generation, id) order, whatever order the tier's dictionary
/// yields them in: older writes keep their regex shards from one rebuild to the next.
@Suite("Engine: the order of a layer's policies")
struct LayerOrderTests {
    /// The integer sort agrees with sorting (generation, id) pairs: lone writes, batches that
    /// share a generation, generations far apart (the fallback), and none.
    @Test func slotsSortAsGenerationThenID() {
        var random = SystemRandomNumberGenerator()
        for (count, span, batch) in [(0, 1, 1), (1, 1, 1), (500, 10_000, 1), (2_000, 50, 40), (300, 1 << 40, 3), (64, 1, 64)] {
            let generations = (0..<count).map { index in Int64(index / batch) * Int64(max(1, span / max(1, count))) + 1_000_000 }.shuffled(
                using: &random)
            let ids = (0..<count).map { _ in PolicyID(uuid: UUID()) }
            let expected = ids.indices.sorted { generations[$0] != generations[$1] ? generations[$0] < generations[$1] : ids[$0] < ids[$1] }
            #expect(AccountMatcher.sortedSlots(generations: generations, ids: ids) == expected, "count \(count), span \(span), batch \(batch)")
        }
    }
}
