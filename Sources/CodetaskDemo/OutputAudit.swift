public import CodetaskWorker
import Foundation
import InformaticaClient
public import Kafka
public import Logging

/// Reads the output and dead-letter topics back and accounts for every input record by its source position:
/// what was published for it, how often, and which records have nothing at all (lost).
public struct OutputAudit: Sendable {
    /// Everything published for one input record.
    public struct Entry: Sendable, Hashable {
        /// `ce_type` of each event, in the order read.
        public var eventTypes: [String] = []
        /// `ce_id` of each event.
        public var eventIds: [String] = []
        /// The job ids of `started` events.
        public var jobIds: [String] = []
        /// The code task id of the events.
        public var codeTaskId: String?
        /// Whether a `started` event said `possibleDuplicate: true` (a Start may have reached Informatica before).
        public var startedFlaggedPossibleDuplicate = false
        /// `error.category` of `failed` events.
        public var errorCategories: [String] = []
        /// `dlq_reason` of dead-letter copies.
        public var deadLetterReasons: [String] = []
        /// The dead-letter copies themselves.
        public var deadLetterCopies: [KafkaMessage] = []
        /// The raw value of the last event read (for showing an example).
        public var lastEventJSON: String?
        /// The headers of the last event read for the record.
        public var lastEventHeaders: [KafkaHeader] = []
        /// The Kafka timestamp (milliseconds) of each event, in the order read (`nil` when it had none).
        public var eventTimestamps: [Int64?] = []

        /// Whether a started event was published.
        public var isStarted: Bool { self.eventTypes.contains(EventType.started.rawValue) }
        /// Whether a failed event was published.
        public var isFailed: Bool { self.eventTypes.contains(EventType.failed.rawValue) }
        /// Whether the record was dead-lettered.
        public var isDeadLettered: Bool { !self.deadLetterReasons.isEmpty }
    }

    /// The positions that should be accounted for.
    public var expected: Set<RecordSource>
    /// What was found, by source position (expected or not).
    public var entries: [RecordSource: Entry] = [:]

    /// An audit of `expected` positions with nothing read yet; feed it with ``record(_:topics:)``.
    public init(expected: Set<RecordSource>) {
        self.expected = expected
    }

    /// Whether every expected record has something published for it.
    public var isComplete: Bool { self.expected.allSatisfy { self.entries[$0] != nil } }

    /// Expected records with nothing published for them.
    public var lost: [RecordSource] {
        self.expected.filter { self.entries[$0] == nil }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }
    /// Expected records with a started event.
    public var startedCount: Int { self.count { $0.isStarted } }
    /// Expected records with a failed event and neither a started event nor a dead-letter copy.
    public var failedCount: Int { self.count { $0.isFailed && !$0.isStarted && !$0.isDeadLettered } }
    /// Expected records copied to the dead-letter topic.
    public var deadLetteredCount: Int { self.count { $0.isDeadLettered } }
    /// Events (or dead-letter copies) read more than once for the same record.
    public var duplicateCount: Int {
        self.entries.values.reduce(0) { total, entry in
            total + (entry.eventIds.count - Set(entry.eventIds).count) + max(0, entry.deadLetterReasons.count - 1)
        }
    }

    private func count(_ predicate: (Entry) -> Bool) -> Int {
        self.expected.reduce(0) { $0 + ((self.entries[$1]).map(predicate) == true ? 1 : 0) }
    }

    /// Reads both topics from the beginning until every expected record is accounted for and nothing new
    /// arrived for `settle`, or until `timeout`.
    public static func read(
        kafka: KafkaClientConfiguration, topics: WorkerTopics, expected: Set<RecordSource>, timeout: Duration = .seconds(120),
        settle: Duration = .seconds(1), logger: Logger
    ) async throws -> OutputAudit {
        var audit = OutputAudit(expected: expected)
        let group = "audit-\(UUID().uuidString)"
        var client = kafka
        // Dead-letter batches of large records can exceed the 1 MiB default; librdkafka's mock cluster then
        // answers with a truncated batch and the reader stalls.
        client.properties["max.partition.fetch.bytes"] = client.properties["max.partition.fetch.bytes"] ?? "16777216"
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(client: client, groupID: group), logger: logger)
        try consumer.subscribe(topics: [topics.output, topics.deadLetter])
        let deadline = ContinuousClock.now + timeout
        var lastArrival = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let batch = try await consumer.poll(timeout: .milliseconds(200))
            for message in batch { audit.record(message, topics: topics) }
            if !batch.isEmpty { lastArrival = ContinuousClock.now }
            if audit.isComplete, ContinuousClock.now - lastArrival >= settle { break }
        }
        try await consumer.close()
        return audit
    }

    /// Accounts for one output or dead-letter record (others are ignored).
    public mutating func record(_ message: KafkaMessage, topics: WorkerTopics) {
        if message.topic == topics.deadLetter {
            guard let topic = message.headers.last(named: DeadLetterHeader.sourceTopic),
                let partition = message.headers.last(named: DeadLetterHeader.sourcePartition).flatMap(Int32.init),
                let offset = message.headers.last(named: DeadLetterHeader.sourceOffset).flatMap(Int64.init)
            else { return }
            let source = RecordSource(topic: topic, partition: partition, offset: offset)
            self.entries[source, default: Entry()].deadLetterReasons.append(message.headers.last(named: DeadLetterHeader.reason) ?? "?")
            self.entries[source, default: Entry()].deadLetterCopies.append(message)
            return
        }
        guard let body = try? JSONParser.parse(message.value), let source = body["source"],
            let topic = source["topic"]?.stringValue,
            let partition = source["partition"]?.textValue.flatMap(Int32.init),
            let offset = source["offset"]?.textValue.flatMap(Int64.init)
        else { return }
        let position = RecordSource(topic: topic, partition: partition, offset: offset)
        var entry = self.entries[position, default: Entry()]
        let type = message.headers.last(named: "ce_type") ?? "?"
        entry.eventTypes.append(type)
        entry.eventIds.append(message.headers.last(named: "ce_id") ?? "?")
        entry.eventTimestamps.append(message.timestampMilliseconds)
        entry.codeTaskId = body["codeTaskId"]?.stringValue
        if let jobId = body["jobId"]?.stringValue { entry.jobIds.append(jobId) }
        if type == EventType.started.rawValue, case .bool(true) = body["possibleDuplicate"] { entry.startedFlaggedPossibleDuplicate = true }
        if let category = body["error"]?["category"]?.stringValue { entry.errorCategories.append(category) }
        entry.lastEventJSON = String(decoding: message.value, as: UTF8.self)
        entry.lastEventHeaders = message.headers
        self.entries[position] = entry
    }
}
