import Metrics

/// What the engine reports through swift-metrics (Prometheus at `/metrics` when the server
/// bootstraps it): evaluations and matches, and each layer build's time and size. Made per
/// engine, after the metrics system is bootstrapped; without one they cost a no-op call.
struct EngineMetrics: Sendable {
    let evaluations = Counter(label: "safelist_engine_evaluations_total")
    let matches = Counter(label: "safelist_engine_matches_total")
    private let builds: [String: (time: Timer, size: Recorder)]

    init() {
        var builds: [String: (time: Timer, size: Recorder)] = [:]
        for layer in ["load", "fresh", "tail", "delta", "base"] {
            builds[layer] = (
                Timer(label: "safelist_engine_build_seconds", dimensions: [("layer", layer)], preferredDisplayUnit: .seconds),
                Recorder(label: "safelist_engine_build_policies", dimensions: [("layer", layer)])
            )
        }
        self.builds = builds
    }

    /// A layer built: `load` an account's first base, `base` a merge, else the layer's name.
    func built(_ layer: String, policies: Int, since start: ContinuousClock.Instant) {
        guard let metrics = builds[layer] else { return }
        metrics.time.recordInterval(since: start)
        metrics.size.record(policies)
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
