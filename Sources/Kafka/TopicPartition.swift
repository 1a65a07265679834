internal import CRdKafka
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

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
    /// The application's metadata stored with a committed offset (Kafka's `offset.metadata.max.bytes`,
    /// 4,096 by default, bounds it); `nil` when none.
    public var metadata: String?

    /// Creates a positioned partition.
    public init(_ topicPartition: TopicPartition, offset: Int64?, metadata: String? = nil) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.metadata = metadata
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
            if let element, let metadata = position.metadata, !metadata.utf8.isEmpty {
                // librdkafka frees the element's metadata with free() when the list is destroyed.
                let bytes = Array(metadata.utf8)
                let copy = malloc(bytes.count)!
                bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                element.pointee.metadata = copy
                element.pointee.metadata_size = bytes.count
            }
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    /// Reads a list that librdkafka owns (not destroyed here).
    static func positions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartitionOffset] {
        guard let list else { return [] }
        return (0..<list.pointee.cnt).map { index in
            let element = codetask_partition_at(list, index)!.pointee
            let offset = element.offset >= 0 ? element.offset : nil
            var metadata: String?
            if let bytes = element.metadata, element.metadata_size > 0 {
                let buffer = UnsafeRawBufferPointer(start: bytes, count: element.metadata_size)
                metadata = String(decoding: buffer, as: UTF8.self)
            }
            return TopicPartitionOffset(TopicPartition(topic: String(cString: element.topic),
                                                       partition: element.partition), offset: offset,
                                        metadata: metadata)
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
