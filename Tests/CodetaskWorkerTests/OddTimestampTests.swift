import CodetaskWorker
import Foundation
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
@Suite("Input records with odd Kafka timestamps", .timeLimit(.minutes(4)))
struct OddTimestampTests {
    /// Timestamps a producer may write: the extremes, before 1733 (whose age in nanoseconds is past `Int64.max`),
    /// before the epoch, microseconds written as milliseconds, and the far future. (0 cannot be written through
    /// librdkafka: it means "now".)
    static let timestamps: [Int64] = [
        .min, .min + 1, -7_000_000_000_000, -1, 1, 1_733_000_000_000_000, 253_402_300_800_000, .max - 1, .max,
    ]

    @Test("records with timestamps at Int64.min, -1, before 1733, in microseconds and far future: one terminal event each, no crash, the commit moves past them",
          arguments: BrokerKind.allCases)
    func oddTimestamps(kind: BrokerKind) async throws {
        announce("oddTimestamps", kind)
        try await WorkerHarness.with(kind) { harness in
            let producer = try harness.broker.makeProducer()
            var sent: [RecordSource: Int64] = [:]
            for (index, timestamp) in Self.timestamps.enumerated() {
                var record = KafkaOutgoingMessage(
                    topic: harness.topics.input, partition: Int32(index % WorkerHarness.inputPartitions),
                    key: "k-ts-\(index)", value: #"{"codeTaskId":"ct-ts-\#(index)","requestId":"ts-\#(index)"}"#)
                record.timestampMilliseconds = timestamp
                let report = try await producer.send(record)
                sent[RecordSource(topic: harness.topics.input, partition: report.topicPartition.partition,
                                  offset: report.offset)] = timestamp
            }
            await producer.close(timeout: .seconds(5))
            let running = try harness.startWorker()
            let ends = WorkerHarness.endPositions(sent.keys)
            let committed = try await harness.committedPositions(reaching: ends, timeout: .seconds(90))
            try await running.stop()
            #expect(committed == ends, "the commit did not move past the records: \(committed) of \(ends)")
            let audit = try await harness.audit(sent.keys, timeout: .seconds(60))
            #expect(audit.lost.isEmpty, "lost: \(audit.lost)")
            for source in sent.keys {
                let types = audit.entries[source]?.eventTypes ?? []
                #expect(types == [EventType.started.rawValue], "\(source) (timestamp \(sent[source]!)): events \(types)")
            }
            #expect(extraStarts(harness.simulator) == 0)
            print("[worker-tests] oddTimestamps on \(kind): \(running.worker.statistics)")
        }
    }
}
}
