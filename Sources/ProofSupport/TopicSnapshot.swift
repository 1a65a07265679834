public import CodetaskWorker
import Foundation
public import Kafka
public import Logging

/// Every record of the worker's three topics, read from the beginning by a consumer of its own group.
public struct TopicSnapshot: Sendable {
    /// The input topic's records.
    public var input: [KafkaMessage] = []
    /// The output topic's records (events).
    public var output: [KafkaMessage] = []
    /// The dead-letter topic's records.
    public var deadLetter: [KafkaMessage] = []

    /// An empty snapshot (tests fill it in).
    public init() {}

    /// Reads the three topics until nothing new arrived for `settle` after at least `expectedInput` input records,
    /// or for `giveUp` whatever was read (records the broker deleted never come), or until `timeout`. A
    /// shortfall is not an error: the audit reports what it read.
    /// - Throws: ``KafkaError`` from the consumer.
    public static func read(
        kafka: KafkaClientConfiguration, topics: WorkerTopics, expectedInput: Int = 1, settle: Duration = .seconds(3),
        giveUp: Duration = .seconds(30), timeout: Duration = .seconds(300), logger: Logger
    ) async throws -> TopicSnapshot {
        var client = kafka
        // Dead-letter batches of large records can exceed the 1 MiB default (see OutputAudit).
        client.properties["max.partition.fetch.bytes"] = client.properties["max.partition.fetch.bytes"] ?? "16777216"
        let configuration = KafkaConsumerConfiguration(client: client, groupID: "audit-\(UUID().uuidString)")
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        try consumer.subscribe(topics: [topics.input, topics.output, topics.deadLetter])
        var snapshot = TopicSnapshot()
        let deadline = ContinuousClock.now + timeout
        var lastArrival = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let batch = try await consumer.poll(timeout: .milliseconds(200))
            for message in batch {
                switch message.topic {
                case topics.input: snapshot.input.append(message)
                case topics.output: snapshot.output.append(message)
                default: snapshot.deadLetter.append(message)
                }
            }
            if !batch.isEmpty { lastArrival = ContinuousClock.now }
            let idle = ContinuousClock.now - lastArrival
            if (snapshot.input.count >= expectedInput && idle >= settle) || idle >= giveUp { break }
        }
        try await consumer.close()
        return snapshot
    }

    /// Partitions whose first record read is not at offset 0: the broker deleted the records before it (librdkafka's
    /// mock cluster keeps only about 5 MiB per partition), so what was published there cannot be audited.
    public var partitionsNotFromZero: [String] {
        var first: [TopicPartition: Int64] = [:]
        for message in self.input + self.output + self.deadLetter {
            first[message.topicPartition] = min(first[message.topicPartition] ?? .max, message.offset)
        }
        return first.filter { $0.value > 0 }.map { "\($0.key.topic)/\($0.key.partition) from offset \($0.value)" }.sorted()
    }

    /// One past the highest input offset read, per input partition.
    public var inputEnds: [Int32: Int64] {
        self.input.reduce(into: [:]) { ends, message in ends[message.partition] = max(ends[message.partition] ?? 0, message.offset + 1) }
    }
}
