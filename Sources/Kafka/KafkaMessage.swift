internal import CRdKafka

/// A record read from Kafka, copied out of librdkafka (no C memory is referenced after creation).
public struct KafkaMessage: Sendable, Hashable {
    /// Topic and partition the record came from.
    public var topicPartition: TopicPartition
    /// The record's offset in its partition.
    public var offset: Int64
    /// The record key, or `nil` when it has none.
    public var key: [UInt8]?
    /// The record value (empty for a null value; ``isTombstone`` tells the two apart).
    public var value: [UInt8]
    /// Whether the value is null (a tombstone), not merely empty.
    public var isTombstone: Bool = false
    /// The record headers, in order.
    public var headers: [KafkaHeader]
    /// The record timestamp in milliseconds since the epoch, when the broker or producer set one.
    public var timestampMilliseconds: Int64?

    /// The topic's name.
    public var topic: String { topicPartition.topic }
    /// The partition number.
    public var partition: Int32 { topicPartition.partition }

    /// The key decoded as UTF-8, when present and valid.
    public var keyString: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }

    /// Creates a message value (for tests and in-memory pipelines).
    public init(topicPartition: TopicPartition, offset: Int64, key: [UInt8]?, value: [UInt8],
                headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// Copies a librdkafka message (the caller still destroys it); `topic` is the name of its `rkt`.
    /// Headers are left empty unless `readsHeaders`.
    init(copying message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String, readsHeaders: Bool) {
        let m = message.pointee
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        self.init(topicPartition: TopicPartition(topic: topic, partition: m.partition), offset: m.offset,
                  key: key, value: value, headers: readsHeaders ? Self.headers(of: message) : [],
                  timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
        self.isTombstone = m.payload == nil
    }

    private static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var headers: [KafkaHeader] = []
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        var index = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return headers
    }
}
