import Foundation
public import Kafka
public import Logging

/// The two brokers every Kafka test runs against.
public enum BrokerKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// librdkafka's in-process mock cluster (3 brokers), with fault injection.
    case mock
    /// Tansu, a real Kafka-compatible broker process on loopback.
    case tansu

    public var description: String { rawValue }
}

/// A running test broker of either kind, with helpers to make topics and clients.
public final class TestBroker: Sendable {
    /// Which broker this is.
    public let kind: BrokerKind
    /// Its bootstrap address list.
    public let bootstrapServers: String
    /// The mock cluster's fault injection (`nil` for Tansu).
    public let mock: KafkaMockCluster?
    private let tansu: TansuProcess?
    /// Logger for clients made by tests (warnings and above, to keep test output readable).
    public let logger: Logger

    /// Starts a broker of this kind. Fails loudly (never skips) when it cannot start.
    public init(_ kind: BrokerKind) throws {
        var logger = Logger(label: "test.\(kind)")
        logger.logLevel = .error
        self.logger = logger
        self.kind = kind
        switch kind {
        case .mock:
            let cluster = try KafkaMockCluster(brokers: 3, logger: logger)
            (mock, tansu, bootstrapServers) = (cluster, nil, cluster.bootstrapServers)
        case .tansu:
            let process = try TansuProcess()
            (mock, tansu, bootstrapServers) = (nil, process, process.bootstrapServers)
        }
    }

    /// Stops a Tansu process now (the mock cluster ends with its last reference).
    public func stop() { tansu?.stop() }

    /// Client settings pointing at this broker, with quick reconnects for tests.
    public func clientConfiguration(_ properties: [String: String] = [:]) -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: [bootstrapServers], clientID: "test-\(kind)",
                                 properties: ["reconnect.backoff.max.ms": "1000", "topic.metadata.refresh.interval.ms": "1000"]
                                    .merging(properties) { _, new in new })
    }

    /// Creates a topic with a unique name and returns the name.
    public func createTopic(prefix: String = "t", partitions: Int) async throws -> String {
        let name = uniqueName(prefix)
        if let mock {
            try mock.createTopic(name, partitions: partitions, replicationFactor: 1)
        } else {
            let admin = try KafkaAdmin(configuration: clientConfiguration(), logger: logger)
            try await admin.createTopic(name, partitions: partitions, replicationFactor: 1)
        }
        return name
    }

    /// A producer with the default (idempotent) settings.
    public func makeProducer(_ adjust: (inout KafkaProducerConfiguration) -> Void = { _ in }) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(client: clientConfiguration())
        configuration.messageTimeout = .seconds(30)
        adjust(&configuration)
        return try KafkaProducer(configuration: configuration, logger: logger)
    }

    /// A consumer in `group` with short group timeouts suited to tests.
    public func makeConsumer(group: String, listener: KafkaRebalanceListener? = nil,
                             _ adjust: (inout KafkaConsumerConfiguration) -> Void = { _ in }) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(client: clientConfiguration(), groupID: group)
        configuration.sessionTimeout = .seconds(10)
        adjust(&configuration)
        return try KafkaConsumer(configuration: configuration, rebalanceListener: listener, logger: logger)
    }
}

/// A name unique to this test run, for topics and groups.
public func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Runs `body` with a fresh broker of `kind` and stops the broker afterwards, whatever happens.
public func withTestBroker<T>(_ kind: BrokerKind, _ body: (TestBroker) async throws -> T) async throws -> T {
    let broker = try TestBroker(kind)
    defer { broker.stop() }
    return try await body(broker)
}
