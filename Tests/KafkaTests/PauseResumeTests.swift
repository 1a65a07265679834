import Kafka
import KafkaTestSupport
import Testing

@Suite("Pause and resume", .timeLimit(.minutes(3)))
struct PauseResumeTests {
    @Test("pause holds back exactly the paused partitions; resume releases them in order",
          arguments: BrokerKind.allCases)
    func pauseAndResume(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "pauseAndResume")
            let topic = try await broker.createTopic(partitions: 3)
            let producer = try broker.makeProducer()
            for partition in Int32(0)..<3 {
                try await produce(producer, topic: topic, count: 50, partition: partition, valuePrefix: "p\(partition)-")
            }
            let consumer = try broker.makeConsumer(group: uniqueName("g"))
            try consumer.subscribe(topics: [topic])
            // Take a few records so the assignment is in place, then pause partition 0 mid-stream.
            let beforePause = try await collect(consumer, count: 1)
            let paused = [TopicPartition(topic: topic, partition: 0)]
            try consumer.pause(paused)
            #expect(consumer.pausedPartitions == Set(paused))
            // Everything of partitions 1 and 2 arrives (generous deadline: a loaded machine fetches slowly), and
            // a further quiet spell shows partition 0 stays held.
            let unpausedLeft = 100 - beforePause.filter { $0.partition != 0 }.count
            let whilePaused = try await collect(consumer, count: unpausedLeft, within: .seconds(60))
                + drain(consumer, for: .seconds(2))
            #expect(whilePaused.allSatisfy { $0.partition != 0 }, "nothing of the paused partition")
            #expect(whilePaused.count == unpausedLeft, "all of the other partitions")

            try await produce(producer, topic: topic, count: 10, partition: 0, valuePrefix: "p0-late-")
            await producer.close(timeout: .seconds(5))
            try consumer.resume(paused)
            let heldBack = 160 - beforePause.count - whilePaused.count
            let afterResume = try await collect(consumer, count: heldBack, within: .seconds(60))
            try await consumer.close()

            let all = beforePause + whilePaused + afterResume
            let partitionZeroOffsets = all.filter { $0.partition == 0 }.map(\.offset)
            #expect(partitionZeroOffsets == Array(0..<60), "resumed exactly where it stopped")
            #expect(all.count == 160)
        }
    }
}
