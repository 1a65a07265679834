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
    /// The record headers, in order.
    public var headers: [KafkaHeader]

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

/// Where the broker stored a produced record.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// Topic and partition of the record.
    public var topicPartition: TopicPartition
    /// The record's offset.
    public var offset: Int64
}
