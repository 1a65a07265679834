import Kafka
import KafkaTestSupport
import Testing

/// librdkafka 2.8.0's mock cluster accepts the whole transactional protocol but writes no commit/abort
/// control batches and keeps no aborted ranges (added upstream in librdkafka PR #5349), and Tansu never makes
/// transactional records readable. So these tests check the client side of the protocol: every step succeeds
/// in order, committed output is delivered, and misuse is rejected with a typed error.
@Suite("Mock cluster: transactional producer", .timeLimit(.minutes(2)))
struct TransactionTests {
    @Test("init, begin, send, send offsets, commit, then abort: every step succeeds in order")
    func transactionalConsumeTransformProduce() async throws {
        try await withTestBroker(.mock) { broker in
            announce(broker, "transactionalConsumeTransformProduce")
            let input = try await broker.createTopic(prefix: "in", partitions: 1)
            let output = try await broker.createTopic(prefix: "out", partitions: 1)
            let plain = try broker.makeProducer()
            try await produce(plain, topic: input, count: 4)
            await plain.close(timeout: .seconds(5))

            let producer = try broker.makeProducer { $0.transactionalID = uniqueName("tx") }
            try await producer.initTransactions(timeout: .seconds(30))
            let consumer = try broker.makeConsumer(group: uniqueName("g"))
            try consumer.subscribe(topics: [input])
            let records = try await collect(consumer, count: 4)
            try #require(records.count == 4)

            try producer.beginTransaction()
            var reports: [KafkaDeliveryReport] = []
            for record in records.prefix(2) {
                reports.append(try await producer.send(KafkaOutgoingMessage(topic: output, key: nil as String?,
                                                                            value: "done-\(record.valueString)")))
            }
            let position = TopicPartitionOffset(records[1].topicPartition, offset: records[1].offset + 1)
            try await producer.sendOffsetsToTransaction([position], of: consumer, timeout: .seconds(30))
            try await producer.commitTransaction(timeout: .seconds(30))
            #expect(reports.map(\.topicPartition.topic) == [output, output])

            try producer.beginTransaction()
            try await producer.send(KafkaOutgoingMessage(topic: output, key: nil as String?, value: "to-abort"))
            try await producer.abortTransaction(timeout: .seconds(30))
            await producer.close(timeout: .seconds(5))
            try await consumer.close()

            let reader = try broker.makeConsumer(group: uniqueName("reader"))
            try reader.subscribe(topics: [output])
            let seen = try await collect(reader, count: 2)
            try await reader.close()
            #expect(seen.prefix(2).map(\.valueString) == records.prefix(2).map { "done-\($0.valueString)" })
        }
    }

    @Test("committing without a transaction is a typed, non-retriable error")
    func commitWithoutTransactionFails() async throws {
        try await withTestBroker(.mock) { broker in
            let producer = try broker.makeProducer { $0.transactionalID = uniqueName("tx") }
            try await producer.initTransactions(timeout: .seconds(30))
            let error = await #expect(throws: KafkaError.self) {
                try await producer.commitTransaction(timeout: .seconds(5))
            }
            #expect(error?.isRetriable == false)
            await producer.close(timeout: .seconds(5))
        }
    }
}
