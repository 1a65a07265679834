import Tracing
import CodetaskDemo
import CodetaskWorker
import Foundation
import InformaticaClient
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Logging
import Metrics
import Synchronization
import Testing

/// One test's world: a broker with fresh topics, a simulator, and worker configurations pointing at both.
final class WorkerHarness: Sendable {
    let broker: TestBroker
    /// Workers started so far, to tell their log lines apart.
    private let workersStarted = Atomic<Int>(0)
    let topics: WorkerTopics
    let group: String
    let simulator: InformaticaSimulator
    let logger: Logger
    static let inputPartitions = 6

    private init(broker: TestBroker, topics: WorkerTopics, simulator: InformaticaSimulator) {
        self.broker = broker
        self.topics = topics
        self.group = uniqueName("worker")
        self.simulator = simulator
        self.logger = broker.logger
    }

    /// Starts a broker of `kind`, creates the three topics (the dead-letter one with `deadLetterPartitions`) and
    /// starts a simulator.
    static func start(
        _ kind: BrokerKind, deadLetterPartitions: Int = 1, simulator adjust: (inout SimulatorConfiguration) -> Void = { _ in }
    ) async throws -> WorkerHarness {
        let broker = try TestBroker(kind)
        do {
            let topics = WorkerTopics(
                input: try await broker.createTopic(prefix: "requests", partitions: Self.inputPartitions),
                output: try await broker.createTopic(prefix: "events", partitions: 3),
                deadLetter: try await broker.createTopic(prefix: "dlq", partitions: deadLetterPartitions),
                journal: try await broker.createTopic(prefix: "journal", partitions: Self.inputPartitions))
            var configuration = SimulatorConfiguration()
            adjust(&configuration)
            let simulator = try await InformaticaSimulator.start(configuration, logger: broker.logger)
            return WorkerHarness(broker: broker, topics: topics, simulator: simulator)
        } catch {
            broker.stop()
            throw error
        }
    }

    /// Runs `body` with a harness and always stops the simulator and the broker afterwards.
    static func with<T>(
        _ kind: BrokerKind, deadLetterPartitions: Int = 1, simulator adjust: (inout SimulatorConfiguration) -> Void = { _ in },
        _ body: (WorkerHarness) async throws -> T
    ) async throws -> T {
        let harness = try await Self.start(kind, deadLetterPartitions: deadLetterPartitions, simulator: adjust)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }

    func stop() async {
        try? await self.simulator.shutdown()
        self.broker.stop()
    }

    /// The simulator's login, as a credentials value.
    var credentials: Credentials {
        Credentials(username: self.simulator.configuration.username, password: Secret(self.simulator.configuration.password))
    }

    /// A worker configuration with fast retries and commits, adjusted by the test. The group session timeout
    /// is 6 s, so a rebalance on the mock cluster takes seconds instead of its default 44 s join phase
    /// (`defaultSessionTimeout` keeps librdkafka's 45 s, to cover that phase too).
    func configuration(defaultSessionTimeout: Bool = false, _ adjust: (inout WorkerConfiguration) -> Void = { _ in })
        -> WorkerConfiguration
    {
        var informatica = InformaticaConfiguration(
            session: .identityService(loginURL: self.simulator.baseURL, serverURL: self.simulator.baseURL, credentials: self.credentials))
        informatica.retry.maxAttempts = 3
        informatica.retry.initialBackoff = .milliseconds(20)
        informatica.retry.maxBackoff = .milliseconds(200)
        informatica.retry.deadline = .seconds(20)
        var configuration = WorkerConfiguration(kafka: self.broker.clientConfiguration(), informatica: informatica)
        configuration.topics = self.topics
        configuration.groupID = self.group
        configuration.commitInterval = .milliseconds(200)
        if !defaultSessionTimeout {
            configuration.kafka.properties["session.timeout.ms"] = "6000"
            configuration.kafka.properties["heartbeat.interval.ms"] = "500"
            // Also the rebalance timeout a JoinGroup carries: how long a coordinator waits for members to rejoin.
            // Tansu once left a group unassigned for the whole default (300 s) after a member left and another
            // joined (no member was asked to rejoin); a rebalance then completes without the silent member.
            configuration.kafka.properties["max.poll.interval.ms"] = "45000"
        }
        adjust(&configuration)
        return configuration
    }

    /// Creates a worker and runs it in a task (with `health` and `metrics` when given).
    func startWorker(
        logger given: Logger? = nil, defaultSessionTimeout: Bool = false, tracer: (any Tracer)? = nil,
        health: WorkerHealth? = nil, metrics: (any MetricsFactory)? = nil,
        _ adjust: (inout WorkerConfiguration) -> Void = { _ in }
    ) throws -> RunningWorker {
        var logger = self.logger
        // WORKER_TEST_LOG=info (or debug) shows the worker's own log when a test needs explaining.
        logger.logLevel = ProcessInfo.processInfo.environment["WORKER_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .error
        if let given { logger = given }
        // Several workers log to one output: each line names its worker.
        logger[metadataKey: "test.worker"] = "\(self.workersStarted.add(1, ordering: .relaxed).newValue)"
        let worker = try Worker(
            configuration: self.configuration(defaultSessionTimeout: defaultSessionTimeout, adjust), logger: logger,
            metrics: metrics ?? MetricsSystem.factory, health: health, tracer: tracer ?? InstrumentationSystem.tracer)
        return RunningWorker(worker: worker, task: Task { try await worker.run() })
    }

    /// Produces samples to the input topic (records up to `maxMessageBytes`, when given, instead of the
    /// producer's default `message.max.bytes`).
    func produce(_ samples: [SampleRecord], maxMessageBytes: Int? = nil) async throws -> [RecordSource: SampleRecord] {
        let producer = try self.broker.makeProducer { configuration in
            if let maxMessageBytes { configuration.client.properties["message.max.bytes"] = String(maxMessageBytes) }
        }
        let produced = try await SampleProducer.produce(samples, topic: self.topics.input, with: producer)
        await producer.close(timeout: .seconds(5))
        return produced
    }

    /// Reads the output and dead-letter topics back.
    func audit(_ expected: some Sequence<RecordSource>, timeout: Duration = .seconds(120)) async throws -> OutputAudit {
        try await OutputAudit.read(
            kafka: self.broker.clientConfiguration(), topics: self.topics, expected: Set(expected), timeout: timeout,
            logger: self.logger)
    }

    /// Reads the output and dead-letter topics from the start until `done` holds for what was read (then 1 s
    /// more, to catch duplicates) or `timeout` passes.
    func readOutputs(timeout: Duration = .seconds(30), until done: ([KafkaMessage]) -> Bool) async throws -> [KafkaMessage] {
        let consumer = try self.broker.makeConsumer(group: uniqueName("reader"))
        try consumer.subscribe(topics: [self.topics.deadLetter, self.topics.output])
        var records: [KafkaMessage] = []
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end && !done(records) { records += try await consumer.poll(timeout: .milliseconds(200)) }
        let settle = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < settle { records += try await consumer.poll(timeout: .milliseconds(200)) }
        try await consumer.close()
        return records
    }

    /// The group's committed position per input partition.
    func committedPositions() async throws -> [Int32: Int64] {
        let consumer = try self.broker.makeConsumer(group: self.group)
        let partitions = (0..<Int32(Self.inputPartitions)).map { TopicPartition(topic: self.topics.input, partition: $0) }
        let committed = try await consumer.committedOffsets(for: partitions, timeout: .seconds(20))
        try await consumer.close()
        return Dictionary(uniqueKeysWithValues: committed.compactMap { position in
            position.offset.map { (position.topicPartition.partition, $0) }
        })
    }

    /// Polls the group's committed positions every 500 ms until they equal `ends` or `timeout` passes.
    /// - Returns: The last positions read (empty when none could be read).
    func committedPositions(reaching ends: [Int32: Int64], timeout: Duration) async throws -> [Int32: Int64] {
        let deadline = ContinuousClock.now + timeout
        var committed = (try? await self.committedPositions()) ?? [:]
        while committed != ends && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            committed = (try? await self.committedPositions()) ?? [:]
        }
        return committed
    }

    /// The end position per partition of the produced records (one past the highest offset).
    static func endPositions(_ produced: some Collection<RecordSource>) -> [Int32: Int64] {
        produced.reduce(into: [:]) { ends, source in ends[source.partition] = max(ends[source.partition] ?? 0, source.offset + 1) }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    @discardableResult
    static func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}

/// A worker running in a task.
struct RunningWorker: Sendable {
    let worker: Worker
    let task: Task<Void, any Error>

    /// Shuts it down gracefully and waits for `run()` to return.
    /// - Returns: How long the stop took.
    @discardableResult
    func stop() async throws -> Duration {
        let began = ContinuousClock.now
        self.worker.shutdown()
        try await self.task.value
        return ContinuousClock.now - began
    }
}

/// Code tasks the simulator started more than once, summed as extra starts.
func extraStarts(_ simulator: InformaticaSimulator) -> Int {
    simulator.startCalls.duplicateStarts.values.reduce(0) { $0 + $1 - 1 }
}

/// The worker's integration suites, run one after another (nested suites, in extensions of this one): each
/// starts brokers, workers and a simulator. They mostly wait (the target used 5 CPU minutes in 25), but two
/// chains side by side on two cores made timing-bound tests fail (a stop past its bound, Tansu's group stalling),
/// so they stay one chain.
@Suite("Worker integration", .serialized)
struct WorkerIntegration {}

/// Which test profile runs: CI's short one (the default) or the full one (`CODETASK_TEST_PROFILE=full`), with the
/// larger sizes docs/testing.md lists; run before resolving an issue whose tests have a full size.
enum TestProfile {
    static let isFull = ProcessInfo.processInfo.environment["CODETASK_TEST_PROFILE"] == "full"
}

extension WorkerHarness {
    /// The attempt journal topic's record values, as text: every partition from its start.
    func journalValues() async throws -> [String] {
        let reader = try KafkaPartitionReader(client: self.broker.clientConfiguration(), logger: self.logger)
        let partitions = (0..<Int32(Self.inputPartitions)).map { TopicPartition(topic: self.topics.journal, partition: $0) }
        let read = try await reader.read(from: Dictionary(uniqueKeysWithValues: partitions.map { ($0, nil) }), timeout: .seconds(10))
        return read.values.flatMap(\.records).map { String(decoding: $0.value, as: UTF8.self) }
    }
}
