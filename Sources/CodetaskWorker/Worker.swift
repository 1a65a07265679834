import Foundation
public import InformaticaClient
public import Kafka
public import Logging
public import Metrics
import Synchronization
public import Tracing

/// The codetask worker: consumes start requests, starts code tasks through the Informatica client, publishes
/// job events, and commits a record's offset only once its outcome is acknowledged by the broker
/// (at-least-once; nothing is lost).
///
/// Its state lives in one pure state machine (``WorkerCore``); this class is the shell that feeds it events
/// (records polled, jobs ended, rebalances, commits answered, breaker changes, the stop signal, ticks) from one
/// task and carries out its actions (start and cancel jobs, pause and resume, commit, close). Start calls run
/// as jobs, concurrently across ordering keys and in order within one, so slow calls never delay polling.
///
/// ```swift
/// let worker = try Worker(configuration: configuration, logger: logger)
/// Task { try await worker.run() }
/// worker.shutdown()  // on SIGTERM: finish calls in progress within the grace period, commit, leave the group
/// ```
public final class Worker: Sendable {
    /// The validated configuration.
    public let configuration: WorkerConfiguration

    let logger: Logger
    let client: InformaticaClient
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let publisher: EventPublisher
    let parser: RequestParser
    let events: EventFactory
    let deadLetters: DeadLetterFactory
    let inbox: WorkerInbox
    /// The attempt journal, unless turned off.
    let journal: AttemptJournal?
    let counters = Mutex(WorkerStatistics())
    let metrics: WorkerMetrics
    let tracer: any Tracer
    /// Liveness and readiness, for the operations endpoint.
    public let health: WorkerHealth
    let started = Atomic<Bool>(false)
    let stopping = Atomic<Bool>(false)
    let paused = Atomic<Bool>(false)
    /// The input topic's partition count found at start-up (0 until then): a group rate limit's denominator.
    let inputPartitions = Atomic<Int>(0)
    /// The longest a consumer poll may take before liveness fails: a revocation served inside it may drain its
    /// jobs and commit first.
    let pollLimit: Duration
    /// A test seam: while set, polls wait instead of reaching the consumer (a hung poll, for the liveness tests).
    let pollsHang = Atomic<Bool>(false)

    /// Creates the worker and its clients; nothing is consumed before ``run()``.
    /// - Parameters:
    ///   - configuration: Checked with ``WorkerConfiguration/validate()``.
    ///   - informaticaClient: A client to use instead of one made from the configuration (tests); the worker
    ///     shuts it down when it stops.
    ///   - logger: Receives the worker's, the clients' and librdkafka's logs.
    ///   - metrics: Makes the worker's metrics (docs/operations.md lists them); the process's bootstrapped factory
    ///     by default.
    ///   - health: Receives the worker's liveness and readiness (one is made when not given).
    ///   - tracer: Makes each record's spans (processing, each Start request, publishing), continuing the
    ///     record's trace context; the bootstrapped tracer by default.
    /// - Throws: ``ConfigurationError`` naming a bad setting, or a ``KafkaError``.
    public init(
        configuration: WorkerConfiguration, informaticaClient: InformaticaClient? = nil, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory, health: WorkerHealth? = nil,
        tracer: any Tracer = InstrumentationSystem.tracer
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.metrics = WorkerMetrics(factory: metrics)
        self.tracer = tracer
        self.health = health ?? WorkerHealth(unfinishedAgeLimit: configuration.readyMaxRecordAge)
        self.pollLimit = WorkerHealth.loopStallLimit + configuration.rebalanceDrainTimeout
            + WorkerCore<RecordWork>.Settings().revocationCommitBudget
        self.client = try informaticaClient ?? InformaticaClient(
            configuration: configuration.informatica, logger: logger, tracer: tracer, metrics: metrics)
        var producerConfiguration = KafkaProducerConfiguration(client: configuration.kafka)
        producerConfiguration.idempotence = true
        self.producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        self.publisher = EventPublisher(producer: self.producer, maxBackoff: configuration.maxPublishBackoff, logger: logger)
        let inbox = WorkerInbox()
        var consumerConfiguration = KafkaConsumerConfiguration(client: configuration.kafka, groupID: configuration.groupID)
        // The worker commits the finished positions of revoked partitions itself, before releasing them.
        consumerConfiguration.commitStoredOffsetsOnRevoke = false
        self.consumer = try KafkaConsumer(
            configuration: consumerConfiguration, rebalanceListener: { event in await inbox.rebalance(event) }, logger: logger)
        self.inbox = inbox
        self.journal = configuration.attemptJournal ? try AttemptJournal(configuration: configuration, logger: logger) : nil
        self.parser = RequestParser(limits: configuration.limits)
        // With the journal, an event is also stored in its attempt's `answered` close, a little larger (the close's
        // key and two headers, well under 4 KiB): events are cut to leave it room.
        let journalReserve = configuration.attemptJournal ? 4096 : 0
        self.events = EventFactory(
            topics: configuration.topics, eventSource: configuration.eventSource,
            maxRecordBytes: max(self.producer.maxMessageBytes - journalReserve, self.producer.maxMessageBytes / 2))
        self.deadLetters = DeadLetterFactory(topic: configuration.topics.deadLetter, maxRecordBytes: self.producer.maxMessageBytes)
    }

    /// Whether consumption is paused now (circuit breaker open, too many unfinished records, or stopping).
    public var isPaused: Bool { self.paused.load(ordering: .relaxed) }

    /// The input partitions this member owns now.
    public var assignment: Set<TopicPartition> { self.consumer.assignment }

    /// What the worker has done so far.
    public var statistics: WorkerStatistics { self.counters.withLock { $0 } }

    /// Runs until ``shutdown()``, the cancellation of the calling task (a stop like ``shutdown()``) or a fatal
    /// error: checks the topics, joins the group and processes records; then drains, commits, leaves the group,
    /// flushes and logs out, within the grace period plus 4 s (the process's bound is 1 s longer). Every task
    /// the worker started has ended when it returns (one stuck in a call that cannot be cancelled is abandoned
    /// at that bound, and logged).
    /// - Throws: ``WorkerError/missingTopics(_:)`` before consuming anything, or ``WorkerError/fatal(_:)``
    ///   after a fatal Kafka error (unfinished records are then left uncommitted and will be redone).
    public func run() async throws {
        guard !self.started.exchange(true, ordering: .relaxed) else { return }
        self.logger.notice(
            "Worker starting",
            metadata: ["librdkafka": "\(Librdkafka.versionString)", "configuration": "\(self.configuration)"])
        do {
            let partitions = try await TopicCheck.ensure(self.configuration, logger: self.logger)
            self.inputPartitions.store(partitions ?? 0, ordering: .relaxed)
            try self.consumer.subscribe(topics: [self.configuration.topics.input])
        } catch {
            await self.closeClients(until: .now + .seconds(5))
            throw error
        }
        let failure = await self.driveStoppingOnCancel()
        self.health.enter(.stopped)
        self.logger.notice("Worker stopped", metadata: ["statistics": "\(self.statistics)"])
        if let failure { throw WorkerError.fatal(failure) }
    }

    /// Starts a graceful stop: no record begins from now on; calls in progress finish within the grace
    /// period, their outcomes are published and committed; then the worker leaves the group. ``run()``
    /// returns within the grace period plus 4 s.
    public func shutdown() {
        guard !self.stopping.exchange(true, ordering: .relaxed) else { return }
        self.health.enter(.stopping)
        self.inbox.send(.stopRequested)
    }

    func count(_ update: (inout WorkerStatistics) -> Void) {
        self.counters.withLock { update(&$0) }
    }

    /// Flushes and closes the producer and shuts the Informatica client down (logout), each bounded.
    func closeClients(until deadline: ContinuousClock.Instant) async {
        await self.publisher.close(until: deadline)
        await Bounded.run(until: deadline) { await self.client.shutdown() }
    }
}

/// The work of one record, as the state machine carries it.
enum RecordWork: Sendable {
    /// Start the code task and publish its outcome; `recordTime` is the input record's timestamp, `trace` the
    /// trace context its headers carry, `calls` the Start calls earlier jobs of the record made (they were held).
    case start(StartRequest, recordTime: Date?, trace: ServiceContext, calls: CallHistory = CallHistory())
    /// Copy the record to the dead-letter topic (and publish a failed event when its code task id is known).
    case deadLetter(KafkaMessage, RequestRejection)
}
