import ArgumentParser
import CodetaskDemo
import CodetaskWorker
import Logging
import OperationsEndpoint
import Prometheus
import ServiceLifecycle

/// `codetask-worker demo`: the worker on an embedded default, with no external service.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the worker against an in-process Kafka mock cluster and Informatica simulator with faults.",
        discussion: """
            On a terminal, one line updates in place while the worker runs (requests received, outcomes, \
            rate, calls in flight, held requests); on a pipe there is no progress line and no control \
            character. Then the summary table; the last line is `demo: requested=... lost=...`. Exit status 0 \
            only when every request has an event or a dead-letter copy (lost=0).
            """
    )

    @Option(help: "Requests to produce.") var requests = 300
    @Option(help: "Log level of the worker's own log (stderr).") var logLevel = "warning"
    @Option(help: "Where /metrics, /healthz and /readyz listen during the run, host:port (port 0: any free port), or off.")
    var httpAddress = "127.0.0.1:0"

    func run() async throws {
        guard (1...100_000).contains(self.requests) else { throw ValidationError("--requests: must be from 1 to 100000") }
        guard let level = Logger.Level(rawValue: self.logLevel) else { throw ValidationError("--log-level: '\(self.logLevel)' is not a level") }
        let address = self.httpAddress == "off" ? nil : OperationsEndpoint.Address(self.httpAddress)
        if self.httpAddress != "off" && address == nil { throw ValidationError("--http-address: '\(self.httpAddress)' is not host:port or off") }
        LogSetup.bootstrap(level: level)
        let logger = Logger(label: "codetask-demo")
        var options = Demo.Options()
        options.requests = self.requests
        let registry = PrometheusCollectorRegistry()
        options.metrics = PrometheusMetricsFactory(registry: registry)
        options.health = WorkerHealth(unfinishedAgeLimit: .seconds(300))
        let status = ProgressLine()
        let printLine: @Sendable (String) -> Void = { text in status.print(text) }
        let endpoint = address.map { address in
            ServiceGroup(
                services: [OperationsEndpoint(address: address, registry: registry, health: options.health!, logger: logger) { port in
                    printLine("demo: metrics at http://\(address.host):\(port)/metrics (also /healthz and /readyz) while the demo runs")
                }],
                logger: logger)
        }
        let serving = Task { try await endpoint?.run() }
        let demo = Demo(options: options, logger: logger)
        let showProgress: @Sendable (DemoProgress) -> Void = { (progress: DemoProgress) in status.update(progress.line) }
        let progress = status.isTerminal ? showProgress : nil
        let summary: Demo.Summary
        do {
            summary = try await demo.run(progress: progress, print: printLine)
        } catch {
            await endpoint?.triggerGracefulShutdown()
            throw error
        }
        await endpoint?.triggerGracefulShutdown()
        try await serving.value
        if summary.lost > 0 { throw ExitCode(1) }
    }
}
