internal import CRdKafka
import Dispatch
public import Logging
import Synchronization

/// A consumer-group member: cooperative-sticky assignment, rebalance events before each rebalance completes,
/// application-controlled offsets, pause/resume per partition, seek, and a clean close that leaves the group.
///
/// Records are fetched on a dedicated serial queue, never on Swift's cooperative pool. Iterate ``messages``
/// (or call ``poll(timeout:)``) continuously: rebalances are served while polling, and `max.poll.interval.ms`
/// counts from the last poll. Use ``pause(_:)`` for back-pressure rather than stopping the iteration.
public final class KafkaConsumer: Sendable {
    let handle: RdKafkaHandle
    let core: ConsumerCore
    private let pollQueue = DispatchQueue(label: "codetask.kafka.consumer-poll")
    private let pollBatchSize: Int
    private let readsHeaders: Bool
    /// Whether librdkafka stores offsets by itself (`enable.auto.offset.store`), as read back from the handle.
    let storesOffsetsAutomatically: Bool

    /// Creates the consumer; it joins the group on ``subscribe(topics:)``.
    /// - Parameters:
    ///   - configuration: group, offsets policy and client settings.
    ///   - rebalanceListener: told of every assignment, revocation and loss before the rebalance completes.
    ///   - logger: receives this client's and librdkafka's log records.
    /// - Throws: ``KafkaError`` for an invalid configuration (including a refused pass-through property, see
    ///   ``KafkaConsumerConfiguration/validate()``) or a librdkafka older than 2.2.
    public init(configuration: KafkaConsumerConfiguration, rebalanceListener: KafkaRebalanceListener? = nil,
                logger: Logger) throws(KafkaError) {
        try configuration.validate()
        let context = ClientContext(logger: logger)
        let core = ConsumerCore(listener: rebalanceListener,
                                commitStoredOffsetsOnRevoke: configuration.commitStoredOffsetsOnRevoke, logger: logger)
        context.rebalance.withLock { $0 = core }
        handle = try RdKafkaHandle(kind: .consumer, properties: configuration.librdkafkaProperties, context: context) {
            ConsumerCore.installRebalanceCallback(on: $0)
        }
        self.core = core
        self.pollBatchSize = max(1, configuration.pollBatchSize)
        self.readsHeaders = configuration.readsHeaders
        self.storesOffsetsAutomatically = handle.booleanProperty("enable.auto.offset.store") ?? true
        // Logs, errors and commit results are then served by the consumer poll.
        _ = rd_kafka_poll_set_consumer(handle.pointer)
    }

    deinit {
        // Without the core, librdkafka's implicit close applies assignment changes without calling back into Swift.
        handle.context.rebalance.withLock { $0 = nil }
    }

    /// Joins the group and subscribes to these topics (replacing any earlier subscription).
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = PartitionList(topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
        try KafkaError.check(rd_kafka_subscribe(handle.pointer, list.pointer), "subscribe to \(topics)")
    }

    /// The records of the assigned partitions, in order per partition; ends when the consumer is closed or
    /// the iterating task is cancelled.
    public var messages: KafkaMessageSequence { KafkaMessageSequence(consumer: self) }

    /// Fetches up to one batch of records, waiting at most `timeout` for the first.
    /// - Returns: records that may be handed out now (none of paused or revoked partitions); empty after close.
    /// - Throws: ``KafkaError`` when librdkafka reports a fatal error.
    public func poll(timeout: Duration) async throws(KafkaError) -> [KafkaMessage] {
        try await pollStamped(timeout: timeout).map(\.message)
    }

    /// ``poll(timeout:)`` with each record's assignment generation, for callers that hand records out later
    /// (and must then check them again, see ``ConsumerState/disposition(of:)``).
    func pollStamped(timeout: Duration) async throws(KafkaError) -> [ConsumerState.Fetched] {
        let (handle, core, batchSize, readsHeaders) = (handle, core, pollBatchSize, readsHeaders)
        let fetched: Result<[ConsumerState.Fetched], KafkaError> = await withCheckedContinuation { continuation in
            pollQueue.async {
                continuation.resume(returning: Result { () throws(KafkaError) in
                    try Self.fetch(
                        handle: handle, core: core, maxMessages: batchSize, readsHeaders: readsHeaders, timeout: timeout)
                })
            }
        }
        let batch = try fetched.get()
        return core.state.withLock { $0.admit(batch) }
    }

    /// Runs on the poll queue: the only place that calls `rd_kafka_consumer_poll`, so the rebalance callback
    /// (which runs inside it) never runs between a record's poll and its stamp.
    private static func fetch(handle: RdKafkaHandle, core: ConsumerCore, maxMessages: Int, readsHeaders: Bool,
                              timeout: Duration) throws(KafkaError) -> [ConsumerState.Fetched] {
        guard !core.state.withLock({ $0.closed }) else { return [] }
        var batch: [ConsumerState.Fetched] = []
        var waitMilliseconds = timeout.int32Milliseconds
        // Records mostly come in runs of one topic: its name is decoded once per run, not once per record.
        var topic: (handle: OpaquePointer?, name: String) = (nil, "")
        while batch.count < maxMessages, let message = rd_kafka_consumer_poll(handle.pointer, waitMilliseconds) {
            defer { rd_kafka_message_destroy(message) }
            waitMilliseconds = 0
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                if topic.handle != message.pointee.rkt {
                    topic = (message.pointee.rkt, String(cString: rd_kafka_topic_name(message.pointee.rkt)))
                }
                let copy = KafkaMessage(copying: message, topic: topic.name, readsHeaders: readsHeaders)
                // A revoke and re-assign may have run inside this very poll: the stamp is the generation after it.
                batch.append(core.state.withLock { $0.fetched(copy) })
            } else if err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                core.logger.warning("consumer error", metadata: [LogKey.error: "\(KafkaError(err))"])
            }
        }
        if let fatal = handle.fatalError { throw fatal }
        return batch
    }

    /// Stops fetching these partitions; nothing more of them is handed out until ``resume(_:)``.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        core.state.withLock { $0.pause(partitions) }
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_pause_partitions(handle.pointer, list.pointer), "pause \(partitions)")
        if let error = PartitionList.firstError(in: list.pointer, context: "pause") { throw error }
    }

    /// Resumes paused partitions exactly where they stopped.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        core.state.withLock { $0.resume(partitions) }
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_resume_partitions(handle.pointer, list.pointer), "resume \(partitions)")
        if let error = PartitionList.firstError(in: list.pointer, context: "resume") { throw error }
    }

    /// The end offset (high watermark) of a partition as last seen in a fetch answer, without asking the
    /// broker; `nil` before the first fetch of it.
    public func cachedEndOffset(of partition: TopicPartition) -> Int64? {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = partition.topic.withCString { topic in
            rd_kafka_get_watermark_offsets(handle.pointer, topic, partition.partition, &low, &high)
        }
        return err == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 ? high : nil
    }

    /// The partitions currently assigned to this member.
    public var assignment: Set<TopicPartition> { core.state.withLock { $0.assigned } }

    /// The partitions currently paused by the application.
    public var pausedPartitions: Set<TopicPartition> { core.state.withLock { $0.paused } }

    /// Leaves the group cleanly: revocation is reported to the listener, stored offsets are committed,
    /// and the partitions are handed over. Idempotent.
    public func close() async throws(KafkaError) {
        let (handle, core) = (handle, core)
        let result: Result<Void, KafkaError> = await withCheckedContinuation { continuation in
            pollQueue.async {
                let wasClosed = core.state.withLock { state in defer { state.closed = true }; return state.closed }
                guard !wasClosed else { return continuation.resume(returning: .success(())) }
                let err = rd_kafka_consumer_close(handle.pointer)
                continuation.resume(returning: err == RD_KAFKA_RESP_ERR_NO_ERROR ? .success(()) : .failure(KafkaError(err)))
            }
        }
        try result.get()
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { core.state.withLock { $0.closed } }
}
