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
            // A fetch at a partition's end waits this long for data before the broker answers (default 500 ms):
            // the end is what the reader waits for.
            "fetch.wait.max.ms": "50",
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
    /// - Returns: Each partition's records in offset order (compacted topics may skip offsets), headers included, and its end.
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

    /// Runs on the reader's queue: the end offsets are queried one partition after another (a round trip
    /// each), then every partition is fetched at once into one queue (an empty partition costs a fetch's wait,
    /// so reading them one after another made a read at assignment grow with the partition count).
    private static func read(handle: RdKafkaHandle, starts: [TopicPartition: Int64?], deadline: ContinuousClock.Instant)
        throws(KafkaError) -> [TopicPartition: KafkaPartitionStretch]
    {
        var firsts: [TopicPartition: Int64] = [:]
        var highs: [TopicPartition: Int64] = [:]
        for (partition, start) in starts {
            let (low, high) = try Self.watermarks(handle: handle, partition, deadline: deadline)
            firsts[partition] = max(start ?? low, low)
            highs[partition] = high
        }
        let records = try Self.consume(handle: handle, from: firsts, deadline: deadline)
        return firsts.reduce(into: [:]) { stretches, entry in
            let (partition, first) = entry
            let read = records[partition] ?? []
            stretches[partition] = KafkaPartitionStretch(
                records: read, end: max(highs[partition] ?? 0, first, (read.last?.offset ?? -1) + 1))
        }
    }

    /// The records of each partition from its first offset until the broker reports its end (partition EOF),
    /// all partitions fetched at once. The end a fetch reaches, not the queried end offset, decides: Tansu 0.6
    /// answers end-offset queries with less than it then serves. Records that arrive for a partition after its
    /// end was reported are left for the next read.
    private static func consume(
        handle: RdKafkaHandle, from firsts: [TopicPartition: Int64], deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> [TopicPartition: [KafkaMessage]] {
        guard !firsts.isEmpty else { return [:] }
        guard let queue = rd_kafka_queue_new(handle.pointer) else {
            throw KafkaError(code: .state, message: "could not create a queue to read \(firsts.count) partitions")
        }
        defer { rd_kafka_queue_destroy(queue) }
        var topics: [String: OpaquePointer] = [:]
        defer { topics.values.forEach { rd_kafka_topic_destroy($0) } }
        var started: [(topic: OpaquePointer, partition: Int32)] = []
        defer { for fetch in started { _ = rd_kafka_consume_stop(fetch.topic, fetch.partition) } }
        for (partition, first) in firsts.sorted(by: { $0.key < $1.key }) {
            let topic: OpaquePointer
            if let opened = topics[partition.topic] {
                topic = opened
            } else {
                guard let opened = rd_kafka_topic_new(handle.pointer, partition.topic, nil) else {
                    throw KafkaError(rd_kafka_last_error(), context: "open topic \(partition.topic)")
                }
                topics[partition.topic] = opened
                topic = opened
            }
            guard rd_kafka_consume_start_queue(topic, partition.partition, first, queue) == 0 else {
                throw KafkaError(rd_kafka_last_error(), context: "read \(partition) from \(first)")
            }
            started.append((topic, partition.partition))
        }
        var records: [TopicPartition: [KafkaMessage]] = [:]
        var reading = Set(firsts.keys)
        while !reading.isEmpty {
            let left = deadline - .now
            guard left > .zero else {
                let late = reading.sorted().prefix(5).map { "\($0) from \(firsts[$0]!)" }.joined(separator: ", ")
                throw KafkaError(code: .timedOut, message: "reading \(reading.count) partitions (\(late)) did not reach their ends in time")
            }
            guard let message = rd_kafka_consume_queue(queue, min(left, .milliseconds(100)).int32Milliseconds) else { continue }
            defer { rd_kafka_message_destroy(message) }
            guard let topic = topics.first(where: { $0.value == message.pointee.rkt })?.key else {
                if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR, let fatal = handle.fatalError { throw fatal }
                continue
            }
            let partition = TopicPartition(topic: topic, partition: message.pointee.partition)
            guard reading.contains(partition) else { continue }
            switch message.pointee.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                records[partition, default: []].append(KafkaMessage(copying: message, topic: topic, readsHeaders: true))
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                reading.remove(partition)
            default:
                if let fatal = handle.fatalError { throw fatal }
            }
        }
        return records
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
