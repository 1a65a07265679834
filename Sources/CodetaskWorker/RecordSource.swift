public import Kafka

/// Where a request came from: its input record's topic, partition and offset.
public struct RecordSource: Sendable, Hashable, CustomStringConvertible {
    /// The input topic.
    public var topic: String
    /// The input partition.
    public var partition: Int32
    /// The record's offset.
    public var offset: Int64

    /// Creates a source position.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// The position of a consumed record.
    public init(_ message: KafkaMessage) {
        self.init(topic: message.topic, partition: message.partition, offset: message.offset)
    }

    /// The partition the record belongs to.
    public var topicPartition: TopicPartition { TopicPartition(topic: self.topic, partition: self.partition) }

    /// `<topic>/<partition>/<offset>`: the default request id.
    public var description: String { "\(self.topic)/\(self.partition)/\(self.offset)" }
}
