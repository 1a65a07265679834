import Kafka
import KafkaTestSupport
import Testing

@Suite("Produce and consume", .timeLimit(.minutes(3)))
struct RoundTripTests {
    @Test("keys and headers survive the round trip; a consumer may leave headers unread", arguments: BrokerKind.allCases)
    func keysAndHeaders(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "keysAndHeaders")
            let topic = try await broker.createTopic(partitions: 1)
            let producer = try broker.makeProducer()
            let headers = [KafkaHeader(name: "traceparent", value: "00-abc-def-01"),
                           KafkaHeader(name: "empty", value: [UInt8]()),
                           KafkaHeader(name: "null", value: nil),
                           KafkaHeader(name: "traceparent", value: "repeated")]
            let sent = KafkaOutgoingMessage(topic: topic, key: "the-key", value: "{\"codeTaskId\":\"42\"}",
                                            headers: headers)
            let report = try await producer.send(sent)
            let unkeyed = try await producer.send(KafkaOutgoingMessage(topic: topic, key: nil as String?, value: "v2"))
            #expect(report.topicPartition == TopicPartition(topic: topic, partition: 0))
            #expect(unkeyed.offset == report.offset + 1)
            await producer.close(timeout: .seconds(5))

            let consumer = try broker.makeConsumer(group: uniqueName("g"))
            try consumer.subscribe(topics: [topic])
            let received = try await collect(consumer, count: 2)
            try await consumer.close()
            try #require(received.count == 2)
            #expect(received[0].keyString == "the-key")
            #expect(received[0].value == sent.value)
            #expect(received[0].headers == headers)
            #expect(received[0].headers.last(named: "traceparent") == "repeated")
            #expect(received[0].offset == report.offset)
            #expect(received[1].key == nil)
            #expect(received[1].valueString == "v2")

            // A consumer that does not read headers gets the same records without them.
            let headerless = try broker.makeConsumer(group: uniqueName("g"), listener: nil, { $0.readsHeaders = false })
            try headerless.subscribe(topics: [topic])
            let withoutHeaders = try await collect(headerless, count: 2)
            try await headerless.close()
            #expect(withoutHeaders.map(\.offset) == received.map(\.offset))
            #expect(withoutHeaders.map(\.value) == received.map(\.value))
            #expect(withoutHeaders.map(\.key) == received.map(\.key))
            #expect(withoutHeaders.allSatisfy { $0.headers.isEmpty })
        }
    }

    @Test("10,000 records over 6 partitions arrive complete and in order per partition",
          arguments: BrokerKind.allCases)
    func tenThousandInOrder(kind: BrokerKind) async throws {
        try await withTestBroker(kind) { broker in
            announce(broker, "tenThousandInOrder")
            let total = 10_000
            let topic = try await broker.createTopic(partitions: 6)
            let producer = try broker.makeProducer()
            let reports = try await produce(producer, topic: topic, count: total, keys: 600)
            await producer.close(timeout: .seconds(5))
            #expect(reports.count == total)
            #expect(Set(reports.map(\.topicPartition.partition)) == Set(0..<6))

            let consumer = try broker.makeConsumer(group: uniqueName("g"))
            try consumer.subscribe(topics: [topic])
            let received = try await collect(consumer, count: total, within: .seconds(120))
            try await consumer.close()

            #expect(received.count == total)
            #expect(Set(received.map(\.valueString)).count == total, "every record exactly once")
            for partition in Int32(0)..<6 {
                let records = received.filter { $0.partition == partition }
                let offsets = records.map(\.offset)
                #expect(offsets == offsets.sorted() && Set(offsets).count == offsets.count)
                let sequence = records.compactMap { Int($0.valueString) }
                #expect(sequence == sequence.sorted(), "partition \(partition) keeps production order")
            }
        }
    }
}
