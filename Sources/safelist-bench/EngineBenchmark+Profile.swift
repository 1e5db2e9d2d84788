import Foundation
import SafelistEngine

/// `--profile-rounds N`: a loop to point `perf` at instead of the measurements. The messages
/// are parsed once and evaluated in batches of 1,000, round after round; with
/// `SAFELIST_PROFILE_PARSE` set, the raw messages are parsed round after round instead; with
/// `SAFELIST_PROFILE_SINGLE` set, they are evaluated one call a message. Under
/// `perf stat|record -D -1 --control fifo:PATH` with `SAFELIST_PERF_CONTROL=PATH`, counting
/// starts when the rounds do and stops when they end, so the counts are per evaluation (or per
/// message parsed) without the corpus and the build around them. docs/benchmarks.md shows how.
extension EngineBenchmark {
    func profile(_ snapshot: MatcherSnapshot, _ corpus: BenchCorpus, _ parsed: [PreparedMessage]) {
        let environment = ProcessInfo.processInfo.environment
        let control = environment["SAFELIST_PERF_CONTROL"].flatMap { FileHandle(forWritingAtPath: $0) }
        let what: String, round: () -> Int
        if environment["SAFELIST_PROFILE_PARSE"] != nil {
            what = "messages parsed"
            round = { corpus.messages.map(Self.message).count }
        } else if environment["SAFELIST_PROFILE_SINGLE"] != nil {
            what = "evaluations, one a call,"
            round = { parsed.indices.reduce(0) { $0 + Self.evaluate(snapshot, parsed[$1]) } }
        } else {
            what = "evaluations, batched,"
            let batches = stride(from: 0, to: parsed.count, by: 1000).map { Array(parsed[$0..<min($0 + 1000, parsed.count)]) }
            round = { batches.reduce(0) { $0 + Self.evaluate(snapshot, $1) } }
        }
        var sink = 0
        control?.write(Data("enable\n".utf8))
        let start = clock.now
        for _ in 0..<profileRounds { sink += round() }
        let elapsed = seconds(clock.now - start)
        control?.write(Data("disable\n".utf8))
        print("profile: \(Int(Double(parsed.count * profileRounds) / elapsed)) \(what) a second (\(sink))")
    }

    /// Not inlined: a frame to find in perf's call stacks.
    @inline(never)
    static func evaluate(_ snapshot: MatcherSnapshot, _ batch: [PreparedMessage]) -> Int {
        snapshot.evaluate(batch).count { !$0.matches.isEmpty }
    }

    @inline(never)
    static func evaluate(_ snapshot: MatcherSnapshot, _ message: PreparedMessage) -> Int {
        snapshot.evaluate(message).matches.isEmpty ? 0 : 1
    }
}
