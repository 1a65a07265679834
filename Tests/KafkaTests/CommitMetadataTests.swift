import Kafka
import KafkaTestSupport
import Testing

@Suite("Committed offsets with metadata")
struct CommitMetadataTests {
    // Apache Kafka and librdkafka's mock cluster keep commit metadata (up to offset.metadata.max.bytes, 4,096 by
    // default); Tansu 0.6.0 keeps the offset and drops the metadata, which this test shows as well.
    @Test("a commit's metadata is stored and read back with the offset, by this member and by a new one (Tansu: offsets only)",
          arguments: BrokerKind.allCases)
    func metadataRoundTrip(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "metadataRoundTrip")
            let topic = try await broker.createTopic(partitions: 2)
            let group = uniqueName("metadata")
            let producer = try broker.makeProducer()
            try await produce(producer, topic: topic, count: 20)
            await producer.close(timeout: .seconds(5))
            let consumer = try broker.makeConsumer(group: group)
            try consumer.subscribe(topics: [topic])
            _ = try await collect(consumer, count: 20)
            let partitions = (0..<2).map { TopicPartition(topic: topic, partition: Int32($0)) }
            let metadata = "cw1:1-3,7," + String(repeating: "9", count: 2000)
            try await consumer.commit([
                TopicPartitionOffset(partitions[0], offset: 4, metadata: metadata),
                TopicPartitionOffset(partitions[1], offset: 2),
            ])
            let own = try await consumer.committedOffsets(for: partitions, timeout: .seconds(20))
            try await consumer.close()
            let other = try broker.makeConsumer(group: group)
            let fresh = try await other.committedOffsets(for: partitions, timeout: .seconds(20))
            try await other.close()
            for read in [own, fresh] {
                let byPartition = Dictionary(uniqueKeysWithValues: read.map { ($0.topicPartition, $0) })
                #expect(byPartition[partitions[0]]?.offset == 4)
                if kind == .mock {
                    #expect(byPartition[partitions[0]]?.metadata == metadata)
                } else {
                    #expect(byPartition[partitions[0]]?.metadata == nil, "Tansu now keeps commit metadata: update docs/kafka-notes.md and docs/architecture.md")
                }
                #expect(byPartition[partitions[1]]?.offset == 2)
                #expect((byPartition[partitions[1]]?.metadata ?? "").isEmpty)
            }
        }
    }
}
