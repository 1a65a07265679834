import ArgumentParser
import CodetaskWorker
import Foundation
import Logging
import OperationsEndpoint
import Prometheus
import Tracing
import ServiceLifecycle

/// `codetask-worker run`: the production worker.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the worker against Kafka and Informatica until SIGTERM or SIGINT.",
        discussion: """
            The first SIGTERM/SIGINT stops taking records, lets calls in progress finish within the grace \
            period, publishes and commits their outcomes, leaves the group and logs out; exit status 0. \
            A second signal ends the process at once. A bad setting stops start-up with a message naming it. \
            /metrics, /healthz and /readyz are served on --http-address while the worker runs.
            """
    )

    @OptionGroup var options: RunOptions
    @OptionGroup var operations: OperationsOptions

    func run() async throws {
        var configuration = try self.options.configuration()
        try self.operations.apply(to: &configuration)
        let address = try self.operations.address()
        if self.options.printConfiguration {
            print(configuration)
            return
        }
        let source = SettingSource()
        let level = try source.value(self.options.logLevel, env: "CODETASK_LOG_LEVEL", name: "log-level", default: Logger.Level.info) {
            Logger.Level(rawValue: $0)
        }
        LogSetup.bootstrap(level: level, format: try self.operations.logFormat())
        let logger = Logger(label: "codetask-worker")
        let tracing: (any Service)?
        do {
            tracing = try TracingSetup.bootstrap(endpoint: self.operations.otlpEndpoint())
        } catch {
            throw ValidationError("--otlp-endpoint / CODETASK_OTLP_ENDPOINT: \(error)")
        }
        let registry = PrometheusCollectorRegistry()
        let health = WorkerHealth(unfinishedAgeLimit: configuration.readyMaxRecordAge)
        let worker = try Worker(
            configuration: configuration, logger: logger, metrics: PrometheusMetricsFactory(registry: registry), health: health)
        // The group handles the first signal (graceful stop); a second one ends the process at once.
        SignalHandling.install { signalNumber in
            logger.notice("Signal received; shutting down gracefully (send it again to exit at once)", metadata: ["signal": "\(signalNumber)"])
        }
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
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("Worker failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
