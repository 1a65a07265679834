import Kafka
import KafkaTestSupport
import Testing

@Suite("Mock cluster: broker faults", .timeLimit(.minutes(3)))
struct MockFaultTests {
    @Test("a broker outage makes sends fail retriably after the timeout, and succeed once it is back")
    func brokerOutage() async throws {
        try await withTestBroker(.mock) { broker in
            announce(broker, "brokerOutage")
            let mock = try #require(broker.mock)
            let topic = try await broker.createTopic(partitions: 1)
            let producer = try broker.makeProducer { $0.messageTimeout = .seconds(2) }
            try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "before"))

            try mock.setAllBrokersDown()
            let clock = ContinuousClock()
            let started = clock.now
            let failure = await #expect(throws: KafkaError.self) {
                try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "during"))
            }
            let waited = clock.now - started
            #expect(failure?.isRetriable == true, "\(String(describing: failure))")
            #expect(failure?.code == .messageTimedOut)
            #expect(waited >= .milliseconds(1500) && waited < .seconds(15))

            try mock.setAllBrokersUp()
            let report = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "after"))
            #expect(report.topicPartition.topic == topic)
            await producer.close(timeout: .seconds(5))
        }
    }
}
