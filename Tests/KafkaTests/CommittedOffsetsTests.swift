import Kafka
import KafkaTestSupport
import Testing

@Suite("Committed offsets: errors are errors", .timeLimit(.minutes(2)))
struct CommittedOffsetsTests {
    /// Issue 19 item 6: an OffsetFetch answer with an error for one partition (and none for the request) used to
    /// come back as "nothing committed" for it, so a new owner would start that partition from its reset
    /// position and redo finished records. The mock cluster answers UNKNOWN_TOPIC_OR_PART for a partition the
    /// topic does not have, with no request-level error.
    @Test func aPartitionErrorOfTheCommittedReadIsAnError() async throws {
        try await withTestBroker(.mock) { broker in
            announce(broker, "aPartitionErrorOfTheCommittedReadIsAnError")
            let topic = try await broker.createTopic(partitions: 1)
            let consumer = try broker.makeConsumer(group: uniqueName("committed"))
            let present = TopicPartition(topic: topic, partition: 0)
            let absent = TopicPartition(topic: topic, partition: 5)
            let read = try await consumer.committedOffsets(for: [present], timeout: .seconds(10))
            #expect(read.map(\.offset) == [nil], "a partition without a commit reads as nothing committed")
            let failure = await #expect(throws: KafkaError.self, "a per-partition error was read as nothing committed") {
                try await consumer.committedOffsets(for: [present, absent], timeout: .seconds(10))
            }
            #expect(failure?.code == .unknownTopicOrPartition, "\(String(describing: failure))")
            try await consumer.close()
        }
    }

    /// A refused OffsetFetch request (an error for the whole request) is an error too.
    @Test func aRefusedCommittedReadIsAnError() async throws {
        try await withTestBroker(.mock) { broker in
            announce(broker, "aRefusedCommittedReadIsAnError")
            let mock = try #require(broker.mock)
            let topic = try await broker.createTopic(partitions: 1)
            let consumer = try broker.makeConsumer(group: uniqueName("committed"))
            let partition = TopicPartition(topic: topic, partition: 0)
            _ = try await consumer.committedOffsets(for: [partition], timeout: .seconds(10))
            let groupAuthorizationFailed = KafkaError.Code(rawValue: 30)    // not retried inside librdkafka
            mock.pushRequestErrors(.offsetFetch, [groupAuthorizationFailed])
            await #expect(throws: KafkaError.self) {
                try await consumer.committedOffsets(for: [partition], timeout: .seconds(10))
            }
            let again = try await consumer.committedOffsets(for: [partition], timeout: .seconds(10))
            #expect(again.map(\.offset) == [nil], "the read after the refusal succeeds")
            try await consumer.close()
        }
    }
}
