public import CodetaskWorker
import Foundation
import InformaticaClient
import InformaticaSimulator
import Kafka
public import Logging
public import Metrics

/// The self-contained demonstration: an in-process Kafka mock cluster and Informatica simulator with faults,
/// a mix of sample requests, the real worker processing them, and an audit read back from the topics.
public struct Demo: Sendable {
    /// What to run.
    public struct Options: Sendable {
        /// Requests produced.
        public var requests = 300
        /// Every n-th request is malformed.
        public var malformedEvery = 12
        /// Every n-th request is for an unknown code task (404).
        public var unknownEvery = 25
        /// Every n-th request is for a code task that always answers 503 (retries exhausted).
        public var failingEvery = 40
        /// Share of Start calls answered 503 at random.
        public var serviceUnavailableRate = 0.05
        /// Share of Start calls answered 429 (with `Retry-After: 1`) at random.
        public var tooManyRequestsRate = 0.03
        /// Input partitions.
        public var partitions = 6
        /// Makes the worker's metrics (the process's bootstrapped factory when `nil`).
        public var metrics: (any MetricsFactory)?
        /// Receives the worker's health (for an operations endpoint).
        public var health: WorkerHealth?

        /// The defaults.
        public init() {}
    }

    /// What happened.
    public struct Summary: Sendable {
        /// Requests produced.
        public var requested: Int
        /// Requests with a started event.
        public var started: Int
        /// Requests with a failed event only.
        public var failed: Int
        /// Records copied to the dead-letter topic.
        public var deadLettered: Int
        /// Requests with nothing published for them, as read back.
        public var lost: Int
        /// Extra starts of code tasks the simulator started more than once.
        public var duplicateStarts: Int
        /// Start calls the simulator received.
        public var startCalls: Int
        /// `demo: requested=N started=S failed=F dead-lettered=D lost=L`.
        public var line: String {
            "demo: requested=\(self.requested) started=\(self.started) failed=\(self.failed) dead-lettered=\(self.deadLettered) lost=\(self.lost)"
        }
    }

    /// What to run.
    public var options: Options
    /// Where the embedded cluster, simulator and worker log.
    public var logger: Logger

    /// Creates a demo run.
    public init(options: Options = Options(), logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Runs the demo, printing a readable report through `print`.
    /// - Parameters:
    ///   - progress: Called about every `progressInterval` while the worker runs, and once more when it is done.
    ///   - print: Receives the report, line by line.
    /// - Throws: When the embedded cluster, the simulator or the worker cannot start.
    public func run(
        progressInterval: Duration = .milliseconds(250), progress: (@Sendable (DemoProgress) -> Void)? = nil,
        print: @Sendable (String) -> Void
    ) async throws -> Summary {
        let began = ContinuousClock.now
        let cluster = try KafkaMockCluster(brokers: 3, logger: self.logger)
        let topics = WorkerTopics()
        try cluster.createTopic(topics.input, partitions: self.options.partitions)
        try cluster.createTopic(topics.output, partitions: 3)
        try cluster.createTopic(topics.deadLetter, partitions: 1)
        try cluster.createTopic(topics.journal, partitions: self.options.partitions)
        let simulator = try await InformaticaSimulator.start(self.simulatorConfiguration(), logger: self.logger)
        print("demo: Kafka mock cluster (3 brokers) at \(cluster.bootstrapServers); Informatica simulator at \(simulator.baseURL)")
        print(
            "demo: faults: \(Int(self.options.serviceUnavailableRate * 100))% of Start calls answer 503, "
                + "\(Int(self.options.tooManyRequestsRate * 100))% answer 429 with Retry-After: 1; "
                + "ids missing-* are unknown (404); ids down-* always answer 503")

        let kafka = KafkaClientConfiguration(bootstrapServers: [cluster.bootstrapServers], clientID: "codetask-demo")
        let samples = SampleRequests.mix(
            count: self.options.requests, malformedEvery: self.options.malformedEvery, unknownEvery: self.options.unknownEvery,
            failingEvery: self.options.failingEvery)
        let produced = try await Self.produce(samples, to: topics.input, kafka: kafka, logger: self.logger)
        let malformed = samples.filter(\.isMalformed).count
        print(
            "demo: produced \(samples.count) requests to \(topics.input) (\(self.options.partitions) partitions): "
                + "\(samples.count - malformed) well-formed, \(malformed) malformed")
        let (audit, statistics) = try await self.process(
            self.workerConfiguration(kafka: kafka, simulator: simulator, topics: topics), expected: Set(produced.keys),
            progress: progress.map { handler in (progressInterval, handler) })
        let calls = simulator.startCalls
        try await simulator.shutdown()

        let summary = Summary(
            requested: produced.count, started: audit.startedCount, failed: audit.failedCount,
            deadLettered: audit.deadLetteredCount, lost: audit.lost.count,
            duplicateStarts: calls.duplicateStarts.values.reduce(0) { $0 + $1 - 1 },
            startCalls: calls.calls.count)
        DemoReport(audit: audit, produced: produced, calls: calls, statistics: statistics, summary: summary,
                   elapsed: ContinuousClock.now - began).print(to: print)
        // Every client is gone by now; the cluster goes last, so no client reconnects to a vanished broker.
        withExtendedLifetime(cluster) {}
        return summary
    }

    /// Produces the samples with a producer that is closed and released before returning.
    private static func produce(_ samples: [SampleRecord], to topic: String, kafka: KafkaClientConfiguration, logger: Logger)
        async throws -> [RecordSource: SampleRecord]
    {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: kafka), logger: logger)
        let produced = try await SampleProducer.produce(samples, topic: topic, with: producer)
        await producer.close(timeout: .seconds(5))
        return produced
    }

    /// Runs the worker until the audit has read back an outcome for every expected record, then stops it
    /// gracefully; the worker and its clients are released before returning.
    private func process(
        _ configuration: WorkerConfiguration, expected: Set<RecordSource>,
        progress: (interval: Duration, handler: @Sendable (DemoProgress) -> Void)?
    ) async throws -> (OutputAudit, WorkerStatistics) {
        let worker = try Worker(
            configuration: configuration, logger: self.logger, metrics: self.options.metrics ?? MetricsSystem.factory,
            health: self.options.health)
        let began = ContinuousClock.now
        let snapshot = { @Sendable in
            DemoProgress(requested: expected.count, statistics: worker.statistics, elapsed: ContinuousClock.now - began)
        }
        let running = Task { try await worker.run() }
        let reporting = progress.map { progress in
            Task {
                while !Task.isCancelled {
                    progress.handler(snapshot())
                    try? await Task.sleep(for: progress.interval)
                }
            }
        }
        let audit: OutputAudit
        do {
            audit = try await OutputAudit.read(kafka: configuration.kafka, topics: configuration.topics, expected: expected, logger: self.logger)
        } catch {
            reporting?.cancel()
            worker.shutdown()
            _ = try? await running.value
            throw error
        }
        reporting?.cancel()
        await reporting?.value
        progress?.handler(snapshot())
        worker.shutdown()
        try await running.value
        return (audit, worker.statistics)
    }

    private func simulatorConfiguration() -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration()
        configuration.faults.startErrorRates = [503: self.options.serviceUnavailableRate, 429: self.options.tooManyRequestsRate]
        configuration.faults.retryAfterSeconds = 1
        configuration.faults.unknownTaskIdPrefixes = ["missing-"]
        configuration.taskRules = [TaskRule(prefix: "down-", status: 503)]
        return configuration
    }

    private func workerConfiguration(kafka: KafkaClientConfiguration, simulator: InformaticaSimulator, topics: WorkerTopics)
        -> WorkerConfiguration
    {
        let credentials = Credentials(username: simulator.configuration.username, password: Secret(simulator.configuration.password))
        var informatica = InformaticaConfiguration(
            session: .identityService(loginURL: simulator.baseURL, serverURL: simulator.baseURL, credentials: credentials))
        informatica.retry.maxAttempts = 4
        informatica.retry.initialBackoff = .milliseconds(50)
        informatica.retry.maxBackoff = .seconds(1)
        informatica.retry.deadline = .seconds(20)
        informatica.circuitBreaker.failureThreshold = 8
        informatica.circuitBreaker.openDuration = .seconds(1)
        var configuration = WorkerConfiguration(kafka: kafka, informatica: informatica)
        configuration.topics = topics
        configuration.groupID = "codetask-demo"
        configuration.commitInterval = .milliseconds(200)
        return configuration
    }
}
