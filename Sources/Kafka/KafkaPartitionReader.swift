internal import CRdKafka
import Dispatch
public import Logging

/// Reads stretches of partitions outside any consumer group: from a given offset to the partition's end. Meant for an application's own bookkeeping topics (the worker's attempt journal, read
/// when a partition is assigned), not for consuming: it never joins a group and never commits.
///
/// One read runs at a time (reads queue); each is bounded by its timeout.
public final class KafkaPartitionReader: Sendable {
    private let handle: RdKafkaHandle
    private let queue = DispatchQueue(label: "codetask.kafka.partition-reader")

    /// Creates the reader's client (a consumer that only ever uses manual assignment).
    /// - Throws: ``KafkaError`` for a property librdkafka refuses.
    public init(client: KafkaClientConfiguration, logger: Logger) throws(KafkaError) {
        let properties = client.librdkafkaProperties([
            // A consumer handle needs a group id; this one is never joined and nothing is committed to it.
            "group.id": "\(client.clientID).partition-reader",
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "true",
            "auto.offset.reset": "earliest",
            // Up to the end offset, not the last stable offset: the bookkeeping records are not transactional.
            "isolation.level": "read_uncommitted",
        ])
        self.handle = try RdKafkaHandle(kind: .consumer, properties: properties, context: ClientContext(logger: logger))
    }

    /// Reads each partition from its start offset (or its first retained record, when that is later) up to its
    /// end (what the broker serves when the read gets there).
    /// - Parameters:
    ///   - starts: The first offset to read per partition; `nil` reads from the first retained record.
    ///   - timeout: The whole read's bound (end offsets queried, records fetched).
    /// - Returns: Each partition's records in offset order (compacted topics may skip offsets) and its end.
    /// - Throws: ``KafkaError`` when an end offset cannot be queried or the records are not all read in time
    ///   (`_TIMED_OUT`).
    public func read(from starts: [TopicPartition: Int64?], timeout: Duration) async throws(KafkaError)
        -> [TopicPartition: KafkaPartitionStretch]
    {
        let handle = self.handle
        let result: Result<[TopicPartition: KafkaPartitionStretch], KafkaError> = await withCheckedContinuation { continuation in
            self.queue.async {
                continuation.resume(returning: Result { () throws(KafkaError) in
                    try Self.read(handle: handle, starts: starts, deadline: .now + timeout)
                })
            }
        }
        return try result.get()
    }

    /// A partition's first retained offset and its end offset as the broker reports them (some brokers report
    /// an end below what a read then reaches).
    /// - Throws: ``KafkaError`` when the broker does not answer within `timeout`.
    public func watermarks(of partition: TopicPartition, timeout: Duration) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let handle = self.handle
        let result: Result<(low: Int64, high: Int64), KafkaError> = await withCheckedContinuation { continuation in
            self.queue.async {
                continuation.resume(returning: Result { () throws(KafkaError) in
                    try Self.watermarks(handle: handle, partition, deadline: .now + timeout)
                })
            }
        }
        return try result.get()
    }

    /// Runs on the reader's queue: one partition after another, through librdkafka's partition consumer
    /// (`rd_kafka_consume_start`), which reads a partition without any group machinery.
    private static func read(handle: RdKafkaHandle, starts: [TopicPartition: Int64?], deadline: ContinuousClock.Instant)
        throws(KafkaError) -> [TopicPartition: KafkaPartitionStretch]
    {
        var stretches: [TopicPartition: KafkaPartitionStretch] = [:]
        for (partition, start) in starts.sorted(by: { $0.key < $1.key }) {
            let (low, high) = try Self.watermarks(handle: handle, partition, deadline: deadline)
            let first = max(start ?? low, low)
            let records = try Self.consume(handle: handle, partition, from: first, deadline: deadline)
            stretches[partition] = KafkaPartitionStretch(records: records, end: max(high, first, (records.last?.offset ?? -1) + 1))
        }
        return stretches
    }

    /// The records of one partition from `first` until the broker reports its end (partition EOF). The end a
    /// fetch reaches, not the queried end offset, decides: Tansu 0.6 answers end-offset queries with less than
    /// it then serves.
    private static func consume(
        handle: RdKafkaHandle, _ partition: TopicPartition, from first: Int64, deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> [KafkaMessage] {
        guard let topic = rd_kafka_topic_new(handle.pointer, partition.topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), context: "open topic \(partition.topic)")
        }
        defer { rd_kafka_topic_destroy(topic) }
        guard rd_kafka_consume_start(topic, partition.partition, first) == 0 else {
            throw KafkaError(rd_kafka_last_error(), context: "read \(partition) from \(first)")
        }
        defer { _ = rd_kafka_consume_stop(topic, partition.partition) }
        var records: [KafkaMessage] = []
        while true {
            let left = deadline - .now
            guard left > .zero else {
                throw KafkaError(code: .timedOut, message: "reading \(partition) from \(first) did not reach its end in time")
            }
            guard let message = rd_kafka_consume(topic, partition.partition, min(left, .milliseconds(100)).int32Milliseconds)
            else { continue }
            defer { rd_kafka_message_destroy(message) }
            switch message.pointee.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                records.append(KafkaMessage(copying: message, topic: partition.topic, readsHeaders: false))
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                return records
            default:
                if let fatal = handle.fatalError { throw fatal }
            }
        }
    }

    /// A partition's first retained offset and its end offset, asked of the broker.
    private static func watermarks(handle: RdKafkaHandle, _ partition: TopicPartition, deadline: ContinuousClock.Instant)
        throws(KafkaError) -> (low: Int64, high: Int64)
    {
        var low: Int64 = -1
        var high: Int64 = -1
        let wait = max(.milliseconds(1), deadline - .now).int32Milliseconds
        let err = partition.topic.withCString { topic in
            rd_kafka_query_watermark_offsets(handle.pointer, topic, partition.partition, &low, &high, wait)
        }
        try KafkaError.check(err, "query the end offset of \(partition)")
        return (max(low, 0), max(high, 0))
    }
}

/// What ``KafkaPartitionReader/read(from:timeout:)`` read of one partition.
public struct KafkaPartitionStretch: Sendable {
    /// The records from the start offset up to ``end``, in offset order.
    public var records: [KafkaMessage]
    /// The partition's end offset as the read found it: the next read continues here.
    public var end: Int64
}
