public import InformaticaClient
public import Kafka
public import Logging
import Synchronization
import Foundation

/// The codetask worker: consumes start requests, starts code tasks through the Informatica client, publishes
/// job events, and commits a record's offset only once its outcome is acknowledged by the broker
/// (at-least-once; nothing is lost).
///
/// The polling loop only hands records on: Start calls run as jobs, concurrently across ordering keys and in
/// order within one, so slow calls and backoff never delay polling. Consumption pauses while the circuit
/// breaker is open or too many records are unfinished, and resumes afterwards.
///
/// ```swift
/// let worker = try Worker(configuration: configuration, logger: logger)
/// Task { try await worker.run() }
/// worker.shutdown()  // on SIGTERM: finish in-flight calls, publish, commit, leave the group
/// ```
public final class Worker: Sendable {
    /// The validated configuration.
    public let configuration: WorkerConfiguration

    let logger: Logger
    let client: InformaticaClient
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let publisher: EventPublisher
    let ledger = OffsetLedger()
    let rebalance: RebalanceCoordinator
    let scheduler: KeyedScheduler
    let parser: RequestParser
    let events: EventFactory
    let phase = Mutex(Phase.created)
    let counters = Mutex(WorkerStatistics())
    let flow = Mutex(FlowState())

    /// Where the worker is in its life.
    enum Phase: Sendable {
        case created, running, stopping, stopped
    }

    /// Why consumption is paused, if it is.
    struct FlowState: Sendable {
        /// The circuit breaker's last reported state.
        var breaker = CircuitBreakerState.closed
        var overloaded = false
        var paused = false

        /// Whether the breaker turns calls away now; once its open period is over, the next call is the probe.
        var isBreakerOpen: Bool {
            guard case .open(let until) = self.breaker else { return false }
            return Date() < until
        }

        /// Whether new records should wait for the breaker: until it closes again, as long as held or running
        /// requests are there to probe it; with none, records flow again once probes are admitted, and the
        /// first of them is the probe.
        func breakerHoldsConsumption(activeRequests: Int) -> Bool {
            self.breaker != .closed && (self.isBreakerOpen || activeRequests > 0)
        }
    }

    /// Creates the worker and its clients; nothing is consumed before ``run()``.
    /// - Parameters:
    ///   - configuration: Checked with ``WorkerConfiguration/validate()``.
    ///   - informaticaClient: A client to use instead of one made from the configuration (tests); the worker
    ///     shuts it down when it stops.
    ///   - logger: Receives the worker's, the clients' and librdkafka's logs.
    /// - Throws: ``ConfigurationError`` naming a bad setting, or a ``KafkaError``.
    public init(configuration: WorkerConfiguration, informaticaClient: InformaticaClient? = nil, logger: Logger) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.client = try informaticaClient ?? InformaticaClient(configuration: configuration.informatica, logger: logger)
        var producerConfiguration = KafkaProducerConfiguration(client: configuration.kafka)
        producerConfiguration.idempotence = true
        self.producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        self.publisher = EventPublisher(producer: self.producer, maxBackoff: configuration.maxPublishBackoff, logger: logger)
        let rebalance = RebalanceCoordinator(ledger: self.ledger, drainTimeout: configuration.rebalanceDrainTimeout, logger: logger)
        var consumerConfiguration = KafkaConsumerConfiguration(client: configuration.kafka, groupID: configuration.groupID)
        consumerConfiguration.commitStoredOffsetsOnRevoke = true
        self.consumer = try KafkaConsumer(
            configuration: consumerConfiguration,
            rebalanceListener: { event in await rebalance.handle(event) },
            logger: logger
        )
        rebalance.attach(self.consumer)
        self.rebalance = rebalance
        self.scheduler = KeyedScheduler(limit: configuration.maxInFlight)
        self.parser = RequestParser(limits: configuration.limits)
        self.events = EventFactory(topics: configuration.topics, eventSource: configuration.eventSource)
    }

    /// Whether consumption is paused now (circuit breaker open, too many unfinished records, or stopping).
    public var isPaused: Bool { self.flow.withLock { $0.paused } }

    /// The input partitions this member owns now.
    public var assignment: Set<TopicPartition> { self.consumer.assignment }

    /// What the worker has done so far.
    public var statistics: WorkerStatistics { self.counters.withLock { $0 } }

    /// Runs until ``shutdown()``: checks the topics, joins the group and processes records; then drains,
    /// commits, flushes, leaves the group and logs out.
    /// - Throws: ``WorkerError/missingTopics(_:)`` before consuming anything, ``WorkerError/producerFailed``,
    ///   or a fatal ``KafkaError``; unfinished records are then left uncommitted and will be redone.
    public func run() async throws {
        let mayStart = self.phase.withLock { phase in
            guard phase == .created else { return false }
            phase = .running
            return true
        }
        guard mayStart else { return }
        self.logger.notice(
            "Worker starting",
            metadata: [
                "librdkafka": "\(Librdkafka.versionString)", "configuration": "\(self.configuration)",
            ])
        do {
            try await TopicCheck.ensure(self.configuration, logger: self.logger)
            try self.consumer.subscribe(topics: [self.configuration.topics.input])
        } catch {
            await self.closeClients()
            throw error
        }
        var failure: (any Error)?
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followCircuitBreaker() }
            group.addTask { await self.commitPeriodically() }
            do {
                try await self.pollUntilStopping()
            } catch {
                failure = error
                self.logger.error("Worker stopping after an error", metadata: ["error": "\(error)"])
                self.shutdown()
            }
            await self.drainAndClose(afterFailure: failure != nil)
            group.cancelAll()
        }
        if let failure { throw failure }
    }

    /// Starts a graceful shutdown: no new records are taken; calls in progress finish within the grace period,
    /// their events are published and committed; then the worker leaves the group. ``run()`` returns after.
    public func shutdown() {
        self.phase.withLock { phase in
            if phase == .running || phase == .created { phase = .stopping }
        }
    }

    var isRunning: Bool { self.phase.withLock { $0 == .running } }

    func count(_ update: (inout WorkerStatistics) -> Void) {
        self.counters.withLock { update(&$0) }
    }
}
