public import InformaticaClient
public import Kafka

/// Everything the worker needs: Kafka, topics, the Informatica client, and its own flow settings.
public struct WorkerConfiguration: Sendable {
    /// Brokers, client id and any librdkafka property (SASL/SSL, tuning) for the consumer, producer and admin.
    public var kafka: KafkaClientConfiguration
    /// The consumer group shared by every instance. Default `codetask-start-worker`.
    public var groupID: String = "codetask-start-worker"
    /// The input, output and dead-letter topics.
    public var topics = WorkerTopics()
    /// The Informatica client: session mode, retry policy, rate limit, circuit breaker, HTTP.
    public var informatica: InformaticaConfiguration
    /// The `ce_source` of published events. Default `/codetask-worker`.
    public var eventSource = "/codetask-worker"
    /// Bounds on input records.
    public var limits = RequestLimits()
    /// Start calls in progress at once, across ordering keys. Default 32.
    public var maxInFlight = 32
    /// Records held (received, not yet finished) before consumption pauses. Default 1,000.
    public var maxPendingRecords = 1000
    /// How often finished positions are committed. Default 1 s.
    public var commitInterval: Duration = .seconds(1)
    /// How long a graceful shutdown waits for calls in progress before cancelling them. The whole stop ends
    /// within this plus 5 s (commit, leave the group, flush, log out). Default 20 s, so a stop fits
    /// Kubernetes' default `terminationGracePeriodSeconds` of 30.
    public var shutdownGracePeriod: Duration = .seconds(20)
    /// How long a revocation waits for calls in progress on the revoked partitions. Default 20 s.
    public var rebalanceDrainTimeout: Duration = .seconds(20)
    /// Create missing topics at start-up instead of refusing to start. Default off.
    public var createMissingTopics = false
    /// Partitions of topics created at start-up. Default 6.
    public var createdTopicPartitions = 6
    /// How many times a request that ran out of attempts or time while the circuit breaker was not closed is
    /// held and tried again once the breaker closes, before its failure is published. Default 5.
    public var maxOutageRetries = 5
    /// How long an undeliverable event is retried between attempts, at most. Default 5 s.
    public var maxPublishBackoff: Duration = .seconds(5)

    /// Creates a configuration with the defaults above.
    public init(kafka: KafkaClientConfiguration, informatica: InformaticaConfiguration) {
        self.kafka = kafka
        self.informatica = informatica
    }

    /// Checks every setting.
    /// - Throws: ``ConfigurationError`` naming the first bad setting.
    public func validate() throws(ConfigurationError) {
        try self.informatica.validate()
        if self.kafka.bootstrapServers.isEmpty || self.kafka.bootstrapServers.contains(where: \.isEmpty) {
            throw ConfigurationError(setting: "kafka.bootstrapServers", message: "give at least one host:port")
        }
        if self.groupID.isEmpty { throw ConfigurationError(setting: "groupID", message: "must not be empty") }
        for (setting, topic) in [("topics.input", self.topics.input), ("topics.output", self.topics.output),
                                 ("topics.deadLetter", self.topics.deadLetter)] where !Self.isValidTopicName(topic) {
            throw ConfigurationError(setting: setting, message: "'\(topic)' is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -)")
        }
        if Set(self.topics.all).count != 3 {
            throw ConfigurationError(setting: "topics", message: "the input, output and dead-letter topics must differ")
        }
        if self.maxInFlight < 1 { throw ConfigurationError(setting: "maxInFlight", message: "must be at least 1") }
        if self.maxPendingRecords < self.maxInFlight {
            throw ConfigurationError(setting: "maxPendingRecords", message: "must be at least maxInFlight (\(self.maxInFlight))")
        }
        for (setting, value) in [("commitInterval", self.commitInterval), ("shutdownGracePeriod", self.shutdownGracePeriod),
                                 ("rebalanceDrainTimeout", self.rebalanceDrainTimeout), ("maxPublishBackoff", self.maxPublishBackoff)]
        where value <= .zero {
            throw ConfigurationError(setting: setting, message: "must be positive")
        }
        if self.maxOutageRetries < 0 {
            throw ConfigurationError(setting: "maxOutageRetries", message: "must not be negative")
        }
        if self.createdTopicPartitions < 1 {
            throw ConfigurationError(setting: "createdTopicPartitions", message: "must be at least 1")
        }
        if self.limits.maxRecordBytes < 64 || self.limits.maxContextBytes < 2 || self.limits.maxRequestIdLength < 1
            || self.limits.maxCodeTaskIdLength < 1
        {
            throw ConfigurationError(setting: "limits", message: "the request limits are too small to accept any request")
        }
    }

    private static func isValidTopicName(_ name: String) -> Bool {
        guard (1...249).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
