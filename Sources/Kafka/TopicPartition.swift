internal import CRdKafka

/// A partition of a topic.
public struct TopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The topic's name.
    public var topic: String
    /// The partition number.
    public var partition: Int32

    /// Creates a topic-partition.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)/\(partition)" }
}

/// A partition with an offset: a position to commit, store, seek to, or one that was committed.
public struct TopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    /// The partition.
    public var topicPartition: TopicPartition
    /// The offset: the next record to read. `nil` when no offset is known (nothing committed).
    public var offset: Int64?

    /// Creates a positioned partition.
    public init(_ topicPartition: TopicPartition, offset: Int64?) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public var description: String { "\(topicPartition)@\(offset.map(String.init) ?? "none")" }
}

/// Owns a `rd_kafka_topic_partition_list_t` for the length of one call.
struct PartitionList: ~Copyable {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ partitions: [TopicPartition]) {
        self.init(partitions.map { TopicPartitionOffset($0, offset: nil) })
    }

    init(_ positions: [TopicPartitionOffset]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(positions.count))
        for position in positions {
            let element = rd_kafka_topic_partition_list_add(pointer, position.topicPartition.topic,
                                                            position.topicPartition.partition)
            element?.pointee.offset = position.offset ?? Int64(RD_KAFKA_OFFSET_INVALID)
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    /// Reads a list that librdkafka owns (not destroyed here).
    static func positions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartitionOffset] {
        guard let list else { return [] }
        return (0..<list.pointee.cnt).map { index in
            let element = codetask_partition_at(list, index)!.pointee
            let offset = element.offset >= 0 ? element.offset : nil
            return TopicPartitionOffset(TopicPartition(topic: String(cString: element.topic),
                                                       partition: element.partition), offset: offset)
        }
    }

    /// The first per-partition error in a list librdkafka filled in, if any.
    static func firstError(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
                           context: String) -> KafkaError? {
        for index in 0..<list.pointee.cnt {
            let element = codetask_partition_at(list, index)!.pointee
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return KafkaError(element.err, context: "\(context) \(String(cString: element.topic))/\(element.partition)")
            }
        }
        return nil
    }

    var positions: [TopicPartitionOffset] { Self.positions(of: pointer) }
}
