import CodetaskWorker
import Foundation
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
@Suite("Oversized input records", .timeLimit(.minutes(4)))
struct OversizedRecordTests {
    @Test("""
        a 1,040,000-byte record the broker accepted, and one with a 1.2 MB traceparent, are dead-lettered shortened \
        to the producer's limit; the partition moves on
        """,
          arguments: BrokerKind.allCases)
    func recordJustUnderTheBrokerLimit(kind: BrokerKind) async throws {
        announce("recordJustUnderTheBrokerLimit", kind)
        try await WorkerHarness.with(kind) { harness in
            // The input's producer may send what a default broker accepts (1,048,588 bytes); the worker's may not.
            // (Neither test broker enforces a size limit; 2,000,000 lets the 1.2 MB header through this producer.)
            let producer = try harness.broker.makeProducer { $0.client.properties["message.max.bytes"] = "2000000" }
            let large = [UInt8](repeating: UInt8(ascii: " "), count: 1_040_000)
            let forged = KafkaHeader(name: "dlq_reason", value: "forged")
            let big = try await producer.send(
                KafkaOutgoingMessage(topic: harness.topics.input, partition: 0, key: Array("k".utf8), value: large, headers: [forged]))
            let trace = KafkaHeader(name: "traceparent", value: [UInt8](repeating: UInt8(ascii: "0"), count: 1_200_000))
            let traced = try await producer.send(
                KafkaOutgoingMessage(topic: harness.topics.input, partition: 0, key: "k", value: #"{"codeTaskId":"ct-traced"}"#,
                                     headers: [trace]))
            let next = try await producer.send(
                KafkaOutgoingMessage(topic: harness.topics.input, partition: 0, key: "k", value: #"{"codeTaskId":"ct-after-big"}"#))
            await producer.close(timeout: .seconds(5))

            let running = try harness.startWorker()
            let moved = await WorkerHarness.eventually(timeout: .seconds(90)) { running.worker.statistics.started == 1 }
            #expect(moved, "the record after the large one was not processed: \(running.worker.statistics)")
            let committed = await Self.committed(harness, partition: 0, reaching: next.offset + 1, within: .seconds(30))
            try await running.stop()
            #expect(committed == next.offset + 1, "the partition did not move past the large record")

            let consumer = try harness.broker.makeConsumer(group: uniqueName("dlq-reader"))
            try consumer.subscribe(topics: [harness.topics.deadLetter])
            var copies: [KafkaMessage] = []
            let end = ContinuousClock.now + .seconds(60)
            while copies.count < 2, ContinuousClock.now < end { copies += try await consumer.poll(timeout: .milliseconds(200)) }
            try await consumer.close()
            try #require(copies.count == 2)
            // Dead letters are written concurrently: find each copy by its source offset.
            copies.sort { ($0.headers.last(named: "dlq_source_offset").flatMap { Int64($0) } ?? -1)
                < ($1.headers.last(named: "dlq_source_offset").flatMap { Int64($0) } ?? -1) }
            let copy = copies[0]
            #expect(copy.headers.last(named: "dlq_reason") == "too_large")
            #expect(copy.headers.first?.name == "dlq_reason", "our headers come first")
            #expect(copy.headers.last(named: "original_dlq_reason") == "forged")
            #expect(copy.headers.last(named: "dlq_truncated") == "true")
            #expect(copy.headers.last(named: "dlq_original_size") == String(1 + large.count + "dlq_reason".utf8.count + "forged".utf8.count))
            #expect(copy.headers.last(named: "dlq_source_offset") == String(big.offset))
            #expect(copy.value.count < large.count && copy.value.count > 900_000)
            #expect(copy.value.allSatisfy { $0 == UInt8(ascii: " ") })

            let tracedCopy = copies[1]
            #expect(tracedCopy.headers.last(named: "dlq_reason") == "invalid_traceparent")
            #expect(tracedCopy.headers.last(named: "dlq_source_offset") == String(traced.offset))
            #expect(tracedCopy.headers.last(named: "dlq_truncated") == "true")
            #expect(!tracedCopy.headers.contains { $0.name == "traceparent" }, "the 1.2 MB header is dropped")
            #expect(String(decoding: tracedCopy.value, as: UTF8.self) == #"{"codeTaskId":"ct-traced"}"#, "the value is kept whole")
        }
    }

    /// The group's committed position of `partition`, polled every 200 ms until it reaches `target` or time is up.
    private static func committed(_ harness: WorkerHarness, partition: Int32, reaching target: Int64, within timeout: Duration)
        async -> Int64?
    {
        let deadline = ContinuousClock.now + timeout
        var position: Int64?
        repeat {
            position = try? await harness.committedPositions()[partition]
            if let position, position >= target { return position }
            try? await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        return position
    }
}
}
