@testable import CodetaskWorker
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
/// The attempt journal's topic as the worker creates it: one partition per input partition, compacted and
/// deleted after 7 days (``TopicCheck/journalConfigs``), read back from the broker. Tansu only: librdkafka's mock
/// cluster does not answer CreateTopics (the worker's own creation times out there; tests create topics through
/// the mock's API), while Tansu creates the topic and describes its configuration.
@Suite("The journal topic's creation settings, read back from the broker", .serialized)
struct JournalTopicCreationTests {
    @Test("a created journal topic has the input's partition count, cleanup.policy compact,delete and 7 days' retention",
          arguments: [BrokerKind.tansu])
    func createdWithItsSettings(kind: BrokerKind) async throws {
        announce("journalTopicCreated", kind)
        try await WorkerHarness.with(kind) { harness in
            let configuration = harness.configuration {
                $0.topics.journal = uniqueName("journal-created")
                $0.attemptJournal = true
                $0.createMissingTopics = true
            }
            try await TopicCheck.ensure(configuration, logger: harness.logger)
            let admin = try KafkaAdmin(configuration: configuration.kafka, logger: harness.logger)
            let described = try await admin.describeTopics([configuration.topics.journal])
            #expect(described.first?.partitions.count == WorkerHarness.inputPartitions)
            let configs = try await admin.describeTopicConfig(configuration.topics.journal)
            #expect(configs["cleanup.policy"] == "compact,delete", "\(configs.sorted { $0.key < $1.key })")
            #expect(configs["retention.ms"] == "604800000")
        }
    }
}
}
