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
            var received = try await collect(consumer, count: 1)
            let paused = [TopicPartition(topic: topic, partition: 0)]
            try consumer.pause(paused)
            #expect(consumer.pausedPartitions == Set(paused))
            let whilePaused = try await collect(consumer, count: 150, within: .seconds(10))
            #expect(whilePaused.allSatisfy { $0.partition != 0 }, "nothing of the paused partition")
            #expect(whilePaused.filter { $0.partition != 0 }.count + received.filter { $0.partition != 0 }.count == 100)

            try await produce(producer, topic: topic, count: 10, partition: 0, valuePrefix: "p0-late-")
            await producer.close(timeout: .seconds(5))
            try consumer.resume(paused)
            received += whilePaused
            received += try await collect(consumer, count: 160 - received.count, within: .seconds(60))
            try await consumer.close()

            let partitionZero = received.filter { $0.partition == 0 }
            #expect(partitionZero.count == 60)
            #expect(partitionZero.map(\.offset) == Array(0..<60), "resumed exactly where it stopped")
            #expect(received.count == 160)
        }
    }
}
