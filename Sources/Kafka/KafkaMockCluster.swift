internal import CRdKafka
import Foundation
public import Logging

/// librdkafka's in-process mock Kafka cluster, with its fault injection.
///
/// It listens on real 127.0.0.1 TCP ports, so any client (also in another process, e.g. `kcat`) can use
/// ``bootstrapServers``. A test double written by librdkafka's authors: pair it with a real broker in tests.
public final class KafkaMockCluster: Sendable {
    /// Kafka protocol request kinds, for ``pushRequestErrors(_:_:)``.
    public enum RequestKind: Int16, Sendable {
        case produce = 0, fetch = 1, listOffsets = 2, metadata = 3, offsetCommit = 8, offsetFetch = 9
        case findCoordinator = 10, joinGroup = 11, heartbeat = 12, syncGroup = 14, initProducerID = 22
        case addPartitionsToTransaction = 24, addOffsetsToTransaction = 25, endTransaction = 26
        case transactionalOffsetCommit = 28
    }

    private let handle: RdKafkaHandle
    private let cluster: MockClusterPointer
    /// The comma-separated `host:port` list of the mock brokers.
    public let bootstrapServers: String
    /// The mock brokers' ids, 1 through the broker count.
    public let brokerIDs: ClosedRange<Int32>

    /// Starts a cluster.
    /// - Parameters:
    ///   - brokers: how many brokers (3 lets replication and leader moves be tested).
    ///   - logger: receives the cluster's librdkafka log.
    public init(brokers: Int = 3, logger: Logger) throws(KafkaError) {
        handle = try RdKafkaHandle(kind: .producer, properties: ["log_level": "3"], context: ClientContext(logger: logger))
        guard let cluster = rd_kafka_mock_cluster_new(handle.pointer, Int32(brokers)) else {
            throw KafkaError(code: .state, message: "rd_kafka_mock_cluster_new failed")
        }
        self.cluster = MockClusterPointer(pointer: cluster)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        brokerIDs = 1...Int32(brokers)
        // A real broker waits 3 s for more members before the first rebalance; tests want it quick. The call
        // exists from librdkafka 2.6.0 on and is looked up at run time (the supported minimum is older).
        if codetask_mock_set_initial_rebalance_delay(cluster, 0) == 0 {
            let missing = "librdkafka \(Librdkafka.versionString) has no rd_kafka_mock_group_initial_rebalance_delay_ms "
                + "(added in 2.6.0): the mock cluster waits its default 3 s before a group's first rebalance"
            logger.notice("\(missing)")
        }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster.pointer)
    }

    /// Creates a topic (replication factor at most the number of brokers).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_topic_create(cluster.pointer, name, Int32(partitions),
                                                        Int32(replicationFactor)), "create mock topic \(name)")
    }

    /// Takes a broker down: its connections close and it refuses new ones until ``setBrokerUp(_:)``.
    public func setBrokerDown(_ broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster.pointer, broker), "broker \(broker) down")
    }

    /// Brings a broker back.
    public func setBrokerUp(_ broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster.pointer, broker), "broker \(broker) up")
    }

    /// Takes every broker down.
    public func setAllBrokersDown() throws(KafkaError) {
        for broker in brokerIDs { try setBrokerDown(broker) }
    }

    /// Brings every broker back.
    public func setAllBrokersUp() throws(KafkaError) {
        for broker in brokerIDs { try setBrokerUp(broker) }
    }

    /// Delays every answer of a broker by `delay`.
    public func setRoundTripDelay(_ delay: Duration, broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_rtt(cluster.pointer, broker, delay.int32Milliseconds),
                             "broker \(broker) round-trip delay")
    }

    /// Makes the next requests of one kind fail, one error per request, in order.
    public func pushRequestErrors(_ request: RequestKind, _ errors: [KafkaError.Code]) {
        var codes = errors.map(\.cValue)
        rd_kafka_mock_push_request_errors_array(cluster.pointer, request.rawValue, codes.count, &codes)
    }

    /// Moves a partition's leadership to another broker.
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(cluster.pointer, topic, partition, broker),
                             "move leader of \(topic)/\(partition)")
    }
}

/// The C cluster pointer; the mock cluster is internally synchronised.
private struct MockClusterPointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
