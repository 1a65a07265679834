import ArgumentParser
import CodetaskWorker
import Foundation
import Logging
import Metrics
import OperationsEndpoint
import Prometheus
import ServiceLifecycle
import Tracing

/// `codetask-worker run`: the production worker.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the worker against Kafka and Informatica until SIGTERM or SIGINT.",
        discussion: """
            The first SIGTERM/SIGINT stops taking records, lets calls in progress finish within the grace \
            period, publishes and commits their outcomes, leaves the group and logs out; exit status 0. \
            A second signal ends the process at once. Settings come from flags, then variables, then the \
            configuration file (--config), then defaults; a bad setting stops start-up with a message naming it. \
            /metrics, /healthz and /readyz are served on --http-address while the worker runs.
            """
    )

    @OptionGroup var options: RunOptions
    @Flag(help: "Print the resolved configuration (secrets redacted) and exit without connecting.")
    var printConfiguration = false

    func run() async throws {
        let settings = try await self.options.reader()
        let configuration = try settings.workerConfiguration()
        let level = try settings.logLevel()
        let format = try settings.logFormat()
        let address = try settings.operationsAddress()
        let otlpEndpoint = try settings.otlpEndpoint()
        if self.printConfiguration {
            print(configuration)
            return
        }
        LogSetup.bootstrap(level: level, format: format)
        let logger = Logger(label: "codetask-worker")
        let tracing: (any Service)?
        do {
            tracing = try TracingSetup.bootstrap(endpoint: otlpEndpoint)
        } catch {
            throw ValidationError("\(Settings.otlpEndpoint.names): \(error)")
        }
        let registry = PrometheusCollectorRegistry()
        let health = WorkerHealth(unfinishedAgeLimit: configuration.readyMaxRecordAge)
        // Without the endpoint nobody can read the metrics: none are recorded.
        let metrics: any MetricsFactory = address == nil ? NOOPMetricsHandler.instance : PrometheusMetricsFactory(registry: registry)
        let worker = try Worker(configuration: configuration, logger: logger, metrics: metrics, health: health)
        // The group handles the first signal (graceful stop); a second one ends the process at once.
        let grace = configuration.shutdownGracePeriod
        SignalHandling.install { signalNumber in
            logger.notice("Signal received; shutting down gracefully (send it again to exit at once)", metadata: ["signal": "\(signalNumber)"])
            StopBound.armWatchdog(grace: grace, logger: logger)
        }
        try await Self.serve(worker: worker, grace: grace, endpoint: address, registry: registry, health: health, tracing: tracing, logger: logger)
    }

    /// Runs the worker with the operations endpoint and the trace exporter in one service group, which takes
    /// the first SIGTERM/SIGINT as the start of the graceful stop.
    private static func serve(
        worker: Worker, grace: Duration, endpoint address: OperationsEndpoint.Address?, registry: PrometheusCollectorRegistry, health: WorkerHealth,
        tracing: (any Service)?, logger: Logger
    ) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // First in the list, so shut down last: the spans of the worker's last records are exported.
        if let tracing { services.append(.init(service: tracing)) }
        if let address {
            services.append(.init(service: OperationsEndpoint(address: address, registry: registry, health: health, logger: logger) { port in
                logger.notice("Operations endpoint listening", metadata: ["address": "\(address.host):\(port)"])
            }))
        }
        // Last in the list, so shut down first: the endpoint keeps answering while the worker drains.
        services.append(.init(service: WorkerService(worker: worker), successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Past this the endpoint and the exporter are cancelled; the worker keeps its own, shorter bound.
        configuration.maximumGracefulShutdownDuration = StopBound.groupShutdownLimit(grace: grace)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            logger.critical("Worker failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
