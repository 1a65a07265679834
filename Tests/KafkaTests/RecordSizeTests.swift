import Kafka
import KafkaTestSupport
import Testing

@Suite("Record sizes and null values on a broker", .timeLimit(.minutes(3)))
struct RecordSizeTests {
    @Test("a record at the producer's limit by our estimate is accepted; one byte more is refused at once, permanently",
          arguments: BrokerKind.allCases)
    func sizeLimit(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "sizeLimit")
            let topic = try await broker.createTopic(partitions: 1)
            let producer = try broker.makeProducer()
            #expect(producer.maxMessageBytes == 1_000_000)
            let headers = [KafkaHeader(name: "h", value: "v")]
            var record = KafkaOutgoingMessage(topic: topic, key: "k", value: "", headers: headers)
            record.value = [UInt8](repeating: 0x61, count: producer.maxMessageBytes - record.maximumWireSize)
            #expect(record.maximumWireSize == producer.maxMessageBytes)
            try await producer.send(record)
            record.value.append(0x61)
            #expect(!producer.fits(record))
            let refused = await #expect(throws: KafkaError.self) { try await producer.send(record) }
            #expect(refused?.code == .messageSizeTooLarge)
            #expect(refused?.isPermanent == true)
            await producer.close(timeout: .seconds(5))
        }
    }

    @Test("a 1,040,000-byte record (under the broker's 1,048,588) arrives whole; a tombstone stays null, an empty value empty",
          arguments: BrokerKind.allCases)
    func largeRecordAndTombstone(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "largeRecordAndTombstone")
            let topic = try await broker.createTopic(partitions: 1)
            let producer = try broker.makeProducer {
                $0.client.properties["message.max.bytes"] = "1048576"
            }
            let large = [UInt8](repeating: 0x7B, count: 1_040_000)
            try await producer.send(KafkaOutgoingMessage(topic: topic, key: Array("k".utf8), value: large))
            var tombstone = KafkaOutgoingMessage(topic: topic, key: "k", value: "")
            tombstone.isTombstone = true
            try await producer.send(tombstone)
            try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: ""))
            await producer.close(timeout: .seconds(5))

            let consumer = try broker.makeConsumer(group: uniqueName("g"))
            try consumer.subscribe(topics: [topic])
            let received = try await collect(consumer, count: 3)
            try await consumer.close()
            try #require(received.count == 3)
            #expect(received[0].value == large)
            #expect(received[1].isTombstone && received[1].value.isEmpty)
            #expect(!received[2].isTombstone && received[2].value.isEmpty)
        }
    }

    @Test("a produce the broker answers with a permanent error fails permanently at once; a retriable one is retried")
    func permanentDeliveryError() async throws {
        try await withTestBroker(.mock) { broker in
            announce(broker, "permanentDeliveryError")
            let mock = try #require(broker.mock)
            let topic = try await broker.createTopic(partitions: 1)
            let producer = try broker.makeProducer()
            try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "warm-up"))
            // Authorization last: librdkafka then marks the topic failed, so later sends fail at once as well.
            mock.pushRequestErrors(.produce, [.notEnoughReplicas])
            try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "retried inside librdkafka"))
            for code in [KafkaError.Code.messageSizeTooLarge, .invalidRecord, .topicAuthorizationFailed] {
                mock.pushRequestErrors(.produce, [code])
                let started = ContinuousClock.now
                let refused = await #expect(throws: KafkaError.self) {
                    try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "refused"))
                }
                #expect(refused?.code == code)
                #expect(refused?.isPermanent == true, "\(String(describing: refused))")
                #expect(ContinuousClock.now - started < .seconds(10), "a permanent error is reported at once")
            }
            await producer.close(timeout: .seconds(5))
        }
    }
}
