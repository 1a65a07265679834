/// How a ``KafkaConsumer`` behaves. Offsets are stored and committed by the application only:
/// librdkafka never commits or stores an offset on its own.
public struct KafkaConsumerConfiguration: Sendable {
    /// Where to start in a partition that has no committed offset.
    public enum OffsetReset: String, Sendable {
        case earliest, latest
    }

    /// Which records a consumer sees of transactional producers' output.
    public enum IsolationLevel: String, Sendable {
        /// Only records of committed transactions (and non-transactional records).
        case readCommitted = "read_committed"
        /// Every record, including those of aborted transactions.
        case readUncommitted = "read_uncommitted"
    }

    /// Brokers, client id and pass-through properties.
    public var client: KafkaClientConfiguration
    /// The consumer group (`group.id`).
    public var groupID: String
    /// Where to start without a committed offset (`auto.offset.reset`, default earliest).
    public var offsetReset: OffsetReset = .earliest
    /// The group session timeout (`session.timeout.ms`).
    public var sessionTimeout: Duration = .seconds(45)
    /// Longest allowed gap between polls before the group evicts this member (`max.poll.interval.ms`).
    public var maxPollInterval: Duration = .seconds(300)
    /// Transactional isolation (`isolation.level`, default read_committed).
    public var isolationLevel: IsolationLevel = .readCommitted
    /// Commit the stored offsets of revoked partitions synchronously before giving them up.
    public var commitStoredOffsetsOnRevoke: Bool = true
    /// The most records one poll hands over.
    public var pollBatchSize: Int = 500
    /// Whether record headers are copied into ``KafkaMessage/headers``. Default `true`.
    ///
    /// librdkafka decodes a record's header block only when asked, and asking costs an allocation per record
    /// even when the block is empty: a consumer that never reads headers can turn this off for a markedly
    /// higher read rate (`kafka-bench` shows both).
    public var readsHeaders: Bool = true

    /// Creates a consumer configuration with the defaults above.
    public init(client: KafkaClientConfiguration, groupID: String) {
        self.client = client
        self.groupID = groupID
    }

    /// The first pass-through property that would break this consumer's guarantees, if any: `enable.auto.commit`
    /// or `enable.auto.offset.store` other than false (offsets of unfinished records would be committed),
    /// `partition.assignment.strategy` other than `cooperative-sticky`, `group.protocol` other than `classic`
    /// (the rebalance handling assigns incrementally), a `group.id` other than ``groupID``, and a
    /// `message.max.bytes` outside librdkafka's range.
    public var refusedProperty: RefusedProperty? {
        if let group = client.properties["group.id"], group != groupID {
            return RefusedProperty(name: "group.id", reason: "set the consumer group with groupID, not as a property")
        }
        return RefusedProperty.first(in: client.properties, breaking: Self.rules + RefusedProperty.commonRules)
    }

    /// Checks the pass-through properties (see ``refusedProperty``).
    /// - Throws: ``KafkaError`` (`_INVALID_ARG`, not retriable) naming the refused property.
    public func validate() throws(KafkaError) {
        if let refusedProperty { throw refusedProperty.error }
    }

    private static let rules: [RefusedProperty.Rule] = [
        .mustBeOff("enable.auto.commit", "offsets are committed by the application once their records are finished"),
        .mustBeOff(
            "enable.auto.offset.store",
            "librdkafka would store the offset of every record handed out, finished or not, and commit past unfinished work"),
        .oneOf("partition.assignment.strategy", ["cooperative-sticky"], "revocations are handled incrementally"),
        .oneOf("group.protocol", ["classic"], "revocations are handled by the classic protocol's rebalance callback"),
    ]

    /// The `max.poll.interval.ms` librdkafka will use: a pass-through property wins over ``maxPollInterval``
    /// (an unreadable one is left for librdkafka to refuse, and counts as ``maxPollInterval`` here).
    public var effectiveMaxPollInterval: Duration {
        guard let text = self.client.properties["max.poll.interval.ms"], let milliseconds = Int64(text), milliseconds > 0
        else { return self.maxPollInterval }
        return .milliseconds(milliseconds)
    }

    var librdkafkaProperties: [String: String] {
        client.librdkafkaProperties([
            "group.id": groupID,
            "auto.offset.reset": offsetReset.rawValue,
            "session.timeout.ms": String(sessionTimeout.milliseconds),
            "max.poll.interval.ms": String(maxPollInterval.milliseconds),
            "isolation.level": isolationLevel.rawValue,
            "partition.assignment.strategy": "cooperative-sticky",
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "false",
        ])
    }
}
