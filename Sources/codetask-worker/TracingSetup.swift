import Foundation
import OTel
import ServiceLifecycle
import Tracing

/// Traces exported over OTLP/HTTP through swift-otel, when an endpoint is set (`--otlp-endpoint`,
/// `CODETASK_OTLP_ENDPOINT`, or OpenTelemetry's own `OTEL_EXPORTER_OTLP_ENDPOINT` /
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); otherwise no tracer is bootstrapped and spans cost nothing.
enum TracingSetup {
    /// Bootstraps the tracer; call once, before the worker is made.
    /// - Returns: The exporter's service (run it in the group, before the worker, so it flushes last), or
    ///   `nil` when tracing is off.
    static func bootstrap(endpoint: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (any Service)?
    {
        let fromEnvironment = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains {
            !(environment[$0] ?? "").isEmpty
        }
        guard endpoint != nil || fromEnvironment else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "codetask-worker"
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        if let endpoint { configuration.traces.otlpExporter.endpoint = endpoint }
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }
}
