import CodetaskWorker
import InformaticaClient

/// One benchmark configuration.
struct BenchProfile: Sendable {
    var name: String
    var title: String
    var maxInFlight: Int
    var latencyMilliseconds: Double
    /// The HTTP connection pool's size; the in-flight limit unless the profile runs the worker's defaults.
    var connections: Int? = nil
    /// Whether the worker runs with its own in-flight and connection limits (the profile sets neither).
    var workerDefaults = false
    /// Metrics recorded and served (the endpoint on a free port) or neither.
    var metrics = true
    /// Spans exported over OTLP/HTTP to a sink in the benchmark.
    var tracing = false
    /// Whether the worker keeps its attempt journal (the default).
    var journal = true

    /// The throughput bound of Start calls: in-flight (or connections, when fewer) ÷ latency (`nil` without latency).
    var limit: Double? {
        let slots = min(self.maxInFlight, self.connections ?? self.maxInFlight)
        return self.latencyMilliseconds > 0 ? Double(slots) / (self.latencyMilliseconds / 1000) : nil
    }

    static func named(_ name: String) -> BenchProfile? {
        switch name {
        case "a": return BenchProfile(name: name, title: "(a) 12 in flight (one per partition), 50 ms", maxInFlight: 12, latencyMilliseconds: 50)
        case "b": return BenchProfile(name: name, title: "(b) per-key order, 256 in flight, 50 ms", maxInFlight: 256, latencyMilliseconds: 50)
        case "defaults":
            let inFlight = WorkerConfiguration.defaultMaxInFlight
            let connections = HTTPSettings().maxConnectionsPerHost
            return BenchProfile(
                name: name, title: "(defaults) \(inFlight) in flight, \(connections) connections, 50 ms", maxInFlight: inFlight,
                latencyMilliseconds: 50, connections: connections, workerDefaults: true)
        case "c": return BenchProfile(name: name, title: "(c) 256 in flight, no latency", maxInFlight: 256, latencyMilliseconds: 0)
        case "b-no-metrics":
            return BenchProfile(
                name: name, title: "(b) without metrics (--http-address off)", maxInFlight: 256, latencyMilliseconds: 50, metrics: false)
        case "b-tracing":
            return BenchProfile(
                name: name, title: "(b) with traces exported over OTLP/HTTP", maxInFlight: 256, latencyMilliseconds: 50, tracing: true)
        case "b-no-journal":
            return BenchProfile(
                name: name, title: "(b) without the attempt journal (--journal off)", maxInFlight: 256, latencyMilliseconds: 50,
                journal: false)
        case "c-no-journal":
            return BenchProfile(
                name: name, title: "(c) without the attempt journal (--journal off)", maxInFlight: 256, latencyMilliseconds: 0,
                journal: false)
        default: return nil
        }
    }
}
