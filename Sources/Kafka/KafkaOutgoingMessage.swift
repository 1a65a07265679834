/// A record to produce.
public struct KafkaOutgoingMessage: Sendable, Hashable {
    /// The destination topic.
    public var topic: String
    /// A fixed partition, or `nil` to let the partitioner choose by key.
    public var partition: Int32?
    /// The record key, or `nil` for none.
    public var key: [UInt8]?
    /// The record value.
    public var value: [UInt8]
    /// Whether to write a null value (a tombstone) instead of ``value``, which must then be empty.
    public var isTombstone: Bool = false
    /// The record headers, in order.
    public var headers: [KafkaHeader]
    /// The record timestamp in milliseconds since the epoch, or `nil` for the time of the produce call. Any
    /// int64 is passed as it is, except that librdkafka takes 0 to mean the time of the call.
    public var timestampMilliseconds: Int64?

    /// Creates a record from bytes.
    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Creates a record from UTF-8 strings.
    public init(topic: String, partition: Int32? = nil, key: String?, value: String, headers: [KafkaHeader] = []) {
        self.init(topic: topic, partition: partition, key: key.map { Array($0.utf8) }, value: Array(value.utf8),
                  headers: headers)
    }
}

extension KafkaOutgoingMessage {
    /// Per-record framing librdkafka adds to key, value and headers when it checks `message.max.bytes`
    /// (`RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD`: length, attributes, timestamp and offset deltas, key and value
    /// lengths, header count, each at its largest varint size).
    static let maximumRecordOverhead = 36

    /// The most bytes this record can count for against the producer's `message.max.bytes`: librdkafka refuses
    /// a record at once with `MSG_SIZE_TOO_LARGE` when this exceeds the limit. Header lengths are counted at
    /// their largest varint size, so the estimate is never below librdkafka's own count.
    public var maximumWireSize: Int {
        Self.maximumRecordOverhead + (self.key?.count ?? 0) + self.value.count
            + self.headers.reduce(0) { $0 + $1.maximumWireSize }
    }
}

extension KafkaHeader {
    /// The most bytes this header takes in a record: name and value with their varint lengths.
    public var maximumWireSize: Int { 10 + self.name.utf8.count + (self.value?.count ?? 0) }
}

/// Where the broker stored a produced record.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// Topic and partition of the record.
    public var topicPartition: TopicPartition
    /// The record's offset.
    public var offset: Int64
}
