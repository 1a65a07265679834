import ArgumentParser
import CodetaskWorker
import OperationsEndpoint

/// Settings of the operations side: the endpoint (`/metrics`, `/healthz`, `/readyz`) and the log format.
struct OperationsOptions: ParsableArguments {
    @Option(help: "Where /metrics, /healthz and /readyz listen, host:port, or off (CODETASK_HTTP_ADDRESS; default 127.0.0.1:9464).")
    var httpAddress: String?
    @Option(help: "Seconds the oldest unfinished record may wait before /readyz fails (CODETASK_READY_MAX_RECORD_AGE; default 300).")
    var readyMaxRecordAge: String?
    @Option(help: "OTLP/HTTP endpoint for traces, e.g. http://collector:4318/v1/traces (CODETASK_OTLP_ENDPOINT; OTEL_EXPORTER_OTLP_ENDPOINT also works; default off).")
    var otlpEndpoint: String?
    @Option(help: "Log lines: json or text (CODETASK_LOG_FORMAT; default text on a terminal, json otherwise).")
    var logFormat: String?

    /// The OTLP endpoint for traces, when set.
    func otlpEndpoint(_ source: SettingSource = SettingSource()) -> String? {
        source.string(self.otlpEndpoint, env: "CODETASK_OTLP_ENDPOINT")
    }

    /// The log line format.
    /// - Throws: `ValidationError` naming the flag and the variable.
    func logFormat(_ source: SettingSource = SettingSource()) throws -> LogSetup.Format {
        try source.value(
            self.logFormat, env: "CODETASK_LOG_FORMAT", name: "log-format", default: LogSetup.Format.automatic,
            expected: "json or text", parse: LogSetup.Format.init(rawValue:))
    }

    /// The endpoint's address; `nil` when it is off.
    /// - Throws: `ValidationError` naming the flag and the variable.
    func address(_ source: SettingSource = SettingSource()) throws -> OperationsEndpoint.Address? {
        try source.value(
            self.httpAddress, env: "CODETASK_HTTP_ADDRESS", name: "http-address", default: OperationsEndpoint.Address("127.0.0.1:9464"),
            expected: "host:port or off"
        ) { text in text == "off" ? .some(nil) : OperationsEndpoint.Address(text).map { .some($0) } }
    }

    /// Sets the readiness limit on `configuration`.
    /// - Throws: `ValidationError` naming the flag and the variable.
    func apply(_ source: SettingSource = SettingSource(), to configuration: inout WorkerConfiguration) throws {
        let range = WorkerConfiguration.SettingRanges.readyMaxRecordAge
        let seconds = try source.value(
            self.readyMaxRecordAge, env: "CODETASK_READY_MAX_RECORD_AGE", name: "ready-max-record-age", default: 300.0,
            expected: "a number of seconds from \(range.lowerBound.components.seconds) to \(range.upperBound.components.seconds)"
        ) { Double($0).flatMap { range.contains(.milliseconds(($0 * 1000).rounded())) ? $0 : nil } }
        configuration.readyMaxRecordAge = .milliseconds((seconds * 1000).rounded())
    }
}
