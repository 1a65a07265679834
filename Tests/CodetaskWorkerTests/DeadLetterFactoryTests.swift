import Foundation
import Kafka
import Testing

@testable import CodetaskWorker

@Suite("Dead-letter records")
struct DeadLetterFactoryTests {
    private static let limit = KafkaProducerConfiguration.defaultMaxMessageBytes
    private let factory = DeadLetterFactory(topic: "dlq", maxRecordBytes: Self.limit, now: { Date(timeIntervalSince1970: 0) })
    private let rejection = RequestRejection(.tooLarge, "the record is too large")

    private func input(key: [UInt8]? = Array("k".utf8), value: [UInt8], headers: [KafkaHeader] = []) -> KafkaMessage {
        KafkaMessage(topicPartition: TopicPartition(topic: "in", partition: 3), offset: 99, key: key, value: value, headers: headers)
    }

    private func header(_ record: KafkaOutgoingMessage, _ name: String) -> String? { record.headers.last(named: name) }

    @Test("a record that fits is copied unchanged after our headers; a forged dlq_reason is renamed, not believed")
    func copyWithOurHeadersFirst() {
        let forged = [KafkaHeader(name: "dlq_reason", value: "forged"), KafkaHeader(name: "x", value: [0xFF])]
        let record = self.factory.rejected(self.input(value: Array("{".utf8), headers: forged), RequestRejection(.notJSON, "bad"))
        #expect(record.topic == "dlq")
        #expect(record.key == Array("k".utf8))
        #expect(record.value == Array("{".utf8))
        #expect(record.headers.prefix(6).map(\.name) == [
            "dlq_reason", "dlq_message", "dlq_source_topic", "dlq_source_partition", "dlq_source_offset", "dlq_time",
        ])
        #expect(self.header(record, "dlq_reason") == "not_json")
        #expect(self.header(record, "original_dlq_reason") == "forged")
        #expect(record.headers.suffix(2) == [KafkaHeader(name: "original_dlq_reason", value: "forged"), KafkaHeader(name: "x", value: [0xFF])])
        #expect(self.header(record, "dlq_source_offset") == "99")
        #expect(self.header(record, "dlq_time") == "1970-01-01T00:00:00.000Z")
        #expect(self.header(record, "dlq_truncated") == nil)
    }

    @Test("a 1,040,000-byte record (the broker took it) is shortened to fit the producer's 1,000,000")
    func recordJustUnderTheBrokerLimit() throws {
        let value = (0..<1_040_000).map { UInt8(truncatingIfNeeded: $0) }
        let record = self.factory.rejected(self.input(value: value), self.rejection)
        #expect(record.maximumWireSize <= Self.limit)
        #expect(record.maximumWireSize > Self.limit - 64, "the room is used, not wasted")
        #expect(self.header(record, "dlq_truncated") == "true")
        #expect(self.header(record, "dlq_original_size") == String(1_040_000 + 1))
        #expect(record.value == Array(value.prefix(record.value.count)))
        #expect(record.key == Array("k".utf8))
        #expect(self.header(record, "dlq_reason") == "too_large")
    }

    @Test("a 1.2 MB traceparent header is dropped and the value kept whole; a 1 MB key is cut")
    func hugeHeaderAndKey() {
        let header = KafkaHeader(name: "traceparent", value: [UInt8](repeating: 0x61, count: 1_200_000))
        let small = KafkaHeader(name: "tenant", value: "t-1")
        let record = self.factory.rejected(self.input(value: Array("{}".utf8), headers: [header, small]), self.rejection)
        #expect(record.maximumWireSize <= Self.limit)
        #expect(record.value == Array("{}".utf8))
        #expect(!record.headers.contains { $0.name == "traceparent" })
        #expect(record.headers.contains(small), "smaller headers after a dropped one are still kept")
        #expect(self.header(record, "dlq_truncated") == "true")

        let bigKey = [UInt8](repeating: 0x6B, count: 1_000_000)
        let keyed = self.factory.rejected(self.input(key: bigKey, value: Array("{}".utf8)), self.rejection)
        #expect(keyed.maximumWireSize <= Self.limit)
        #expect(keyed.key.map { bigKey.starts(with: $0) } == true)
        #expect((keyed.key?.count ?? 0) < bigKey.count)
        #expect(keyed.value == Array("{}".utf8))
    }

    @Test("a tombstone's copy stays a tombstone")
    func tombstoneCopy() {
        var tombstone = self.input(value: [])
        tombstone.isTombstone = true
        let record = self.factory.rejected(tombstone, RequestRejection(.tombstone, "null"))
        #expect(record.isTombstone)
        #expect(record.value.isEmpty)
        #expect(self.header(record, "dlq_reason") == "tombstone")
    }

    @Test("an event that cannot be published becomes a publish_failed dead letter that fits, naming its topic")
    func publishFailed() {
        let big = String(repeating: "x", count: 3_000_000)
        let event = KafkaOutgoingMessage(
            topic: "events", key: "ct-1", value: #"{"summary":"\#(big)"}"#,
            headers: [KafkaHeader(name: "ce_id", value: "r/codetask.job.started"), KafkaHeader(name: "dlq_time", value: "forged")])
        let error = KafkaError(code: .messageSizeTooLarge, message: "too large")
        let record = self.factory.publishFailed(event, source: RecordSource(topic: "in", partition: 1, offset: 5), error: error)
        #expect(record.topic == "dlq")
        #expect(record.maximumWireSize <= Self.limit)
        #expect(self.header(record, "dlq_reason") == "publish_failed")
        #expect(self.header(record, "dlq_target_topic") == "events")
        #expect(self.header(record, "dlq_source_partition") == "1")
        #expect(self.header(record, "dlq_time") == "1970-01-01T00:00:00.000Z")
        #expect(self.header(record, "original_dlq_time") == "forged")
        #expect(self.header(record, "ce_id") == "r/codetask.job.started")
        #expect(self.header(record, "dlq_message")?.contains("MSG_SIZE_TOO_LARGE") == true)
        #expect(self.header(record, "dlq_truncated") == "true")
        #expect(record.key == Array("ct-1".utf8))
    }

    @Test("dlq_message is capped; when even our headers do not fit, only the coordinates and reason are written")
    func minimal() {
        let long = RequestRejection(.notJSON, String(repeating: "é", count: 5_000))
        let small = DeadLetterFactory(topic: "dlq", maxRecordBytes: 1_000, now: { Date(timeIntervalSince1970: 0) })
        let normal = self.factory.rejected(self.input(value: [1]), long)
        #expect((self.header(normal, "dlq_message")?.utf8.count ?? 0) <= DeadLetterFactory.maxMessageBytes)
        #expect(self.header(normal, "dlq_message")?.hasSuffix("…") == true)

        let record = small.rejected(self.input(value: [UInt8](repeating: 1, count: 5_000)), long)
        #expect(record.maximumWireSize <= 1_000)
        #expect(record.key == nil && record.value.isEmpty)
        #expect(record.headers.map(\.name) == [
            "dlq_reason", "dlq_source_topic", "dlq_source_partition", "dlq_source_offset", "dlq_time", "dlq_truncated",
        ])
        #expect(self.header(record, "dlq_reason") == "not_json")
        #expect(self.header(record, "dlq_source_offset") == "99")
    }
}
