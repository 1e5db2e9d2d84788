import Foundation
import SafelistCore
import Synchronization
import Testing

@Suite("Pieces made ahead on another core, consumed in order")
struct PipelineTests {
    @Test(arguments: [0, 1, 2, 97])
    func everyPieceInOrder(count: Int) throws {
        var consumed: [Int] = []
        try Pipeline.run(count: count) { index in
            index * 3
        } consume: {
            consumed.append($0)
        }
        #expect(consumed == (0..<count).map { $0 * 3 })
    }

    /// A failing consumer stops the producer, which made at most the pieces allowed ahead, and
    /// `run` returns only once it has stopped.
    @Test func aFailureStopsTheProducer() throws {
        struct Failure: Error {}
        let produced = Mutex(0)
        var consumed = 0
        #expect(throws: Failure.self) {
            try Pipeline.run(count: 1_000, ahead: 2) { index in
                produced.withLock { $0 += 1 }
                return index
            } consume: { index in
                if index == 10 { throw Failure() }
                consumed += 1
            }
        }
        let atReturn = produced.withLock { $0 }
        #expect(consumed == 10)
        #expect(atReturn >= 11 && atReturn <= 14)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(produced.withLock { $0 } == atReturn)
    }
}
