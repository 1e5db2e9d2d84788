import Metrics
import Prometheus

/// swift-metrics can be bootstrapped once a process, as `safelist serve` does at its start: the
/// tests share one registry, so what they read from it are counts at least as large as their own.
enum TestMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// The value of the sample named exactly `sample` (name and labels), 0 when absent.
    static func value(_ sample: String, in text: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1)) ?? 0
        }
        return 0
    }
}
