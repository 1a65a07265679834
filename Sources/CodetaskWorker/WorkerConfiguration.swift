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
    /// Start calls in progress at once, across ordering keys. Default 32 (``defaultMaxInFlight``).
    public var maxInFlight = Self.defaultMaxInFlight

    /// The default of ``maxInFlight``.
    public static let defaultMaxInFlight = 32
    /// Records held (received, not yet finished) before consumption pauses. Unless set, 1,000 or 16 ×
    /// ``maxInFlight`` when larger: that keeps the calls busy while a backlog drains. Consumption pauses at the
    /// limit and resumes at half of it, and a resumed partition is fetched again from the broker; at 4 × in flight
    /// a backlog paused and resumed so often that 256 slots at 50 ms reached 0.52 of their limit, at 16 × 0.72
    /// (docs/benchmarks.md).
    public var maxPendingRecords: Int {
        get { self.maxPendingRecordsSet ?? Self.defaultMaxPendingRecords(maxInFlight: self.maxInFlight) }
        set { self.maxPendingRecordsSet = newValue }
    }
    private var maxPendingRecordsSet: Int?

    /// The default of ``maxPendingRecords`` for `maxInFlight`.
    public static func defaultMaxPendingRecords(maxInFlight: Int) -> Int {
        let (scaled, overflow) = maxInFlight.multipliedReportingOverflow(by: 16)
        return overflow ? Int.max : max(1000, scaled)
    }
    /// How often finished positions are committed. Default 1 s.
    public var commitInterval: Duration = .seconds(1)
    /// How long a graceful shutdown waits for calls in progress before cancelling them. ``Worker/run()``
    /// returns within this plus 4 s (commit, leave the group, flush, log out), the process exits within this
    /// plus 5 s. Default 20 s, so a stop fits
    /// Kubernetes' default `terminationGracePeriodSeconds` of 30.
    public var shutdownGracePeriod: Duration = .seconds(20)
    /// How long a revocation waits for calls in progress on the revoked partitions. Default 20 s.
    public var rebalanceDrainTimeout: Duration = .seconds(20)
    /// Keep an attempt journal (topic ``WorkerTopics/journal``): before a request's first Start call the worker
    /// records the attempt and waits for the broker's acknowledgement, and closes it once the outcome is
    /// published. A member that is assigned a partition reads its journal first: records whose outcome was
    /// published are not started again (even when the commit did not get that far), and attempts without an
    /// outcome (the previous owner crashed with the call in flight) are in doubt: with the in-doubt policy
    /// `fail` (``RetryPolicy/inDoubt``) they get a `codetask.start.failed` event of category `in_doubt`, with
    /// `retry` they are started again and their events carry `possibleDuplicate: true`. Default on.
    public var attemptJournal = true
    /// Create missing topics at start-up instead of refusing to start. Default off.
    public var createMissingTopics = false
    /// Partitions of topics created at start-up. Default 6.
    public var createdTopicPartitions = 6
    /// How many times a request that ran out of attempts or time while the circuit breaker was not closed is
    /// held and tried again once the breaker closes, before its failure is published. Default 5.
    public var maxOutageRetries = 5
    /// How long an undeliverable event is retried between attempts, at most. Default 5 s.
    public var maxPublishBackoff: Duration = .seconds(5)
    /// The oldest an unfinished record may be while the worker reports itself ready (`/readyz`).
    public var readyMaxRecordAge: Duration = .seconds(300)
    /// How long the reads of a newly assigned partition (its committed position, its attempt journal) may keep
    /// failing before the worker stops with an error naming the partitions, so that the group gives them to a
    /// member that can read them (meanwhile they start nothing, and `/readyz` names them after 30 s). Default 300 s.
    public var assignmentReadLimit: Duration = .seconds(300)

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
        if self.attemptJournal {
            guard Self.isValidTopicName(self.topics.journal) else {
                throw ConfigurationError(
                    setting: "topics.journal", message: "'\(self.topics.journal)' is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -)")
            }
            guard !self.topics.all.contains(self.topics.journal) else {
                throw ConfigurationError(setting: "topics.journal", message: "must differ from the input, output and dead-letter topics")
            }
        }
        if let refused = KafkaConsumerConfiguration(client: self.kafka, groupID: self.groupID).refusedProperty
            ?? KafkaProducerConfiguration(client: self.kafka).refusedProperty
        {
            throw ConfigurationError(setting: "kafka.properties.\(refused.name)", message: "refused: \(refused.reason)")
        }
        typealias R = SettingRanges
        for (setting, value, range) in [("maxInFlight", self.maxInFlight, R.maxInFlight),
                                         ("maxPendingRecords", self.maxPendingRecords, R.maxPendingRecords),
                                         ("maxOutageRetries", self.maxOutageRetries, R.maxOutageRetries),
                                         ("createdTopicPartitions", self.createdTopicPartitions, R.createdTopicPartitions)]
        where !range.contains(value) {
            throw ConfigurationError(setting: setting, message: "must be from \(range.lowerBound) to \(range.upperBound)")
        }
        if self.maxPendingRecords < self.maxInFlight {
            throw ConfigurationError(setting: "maxPendingRecords", message: "must be at least maxInFlight (\(self.maxInFlight))")
        }
        for (setting, value, range) in [("commitInterval", self.commitInterval, R.commitInterval),
                                         ("shutdownGracePeriod", self.shutdownGracePeriod, R.shutdownGracePeriod),
                                         ("rebalanceDrainTimeout", self.rebalanceDrainTimeout, R.rebalanceDrainTimeout),
                                         ("maxPublishBackoff", self.maxPublishBackoff, R.maxPublishBackoff),
                                         ("readyMaxRecordAge", self.readyMaxRecordAge, R.readyMaxRecordAge),
                                         ("assignmentReadLimit", self.assignmentReadLimit, R.assignmentReadLimit)]
        where !range.contains(value) {
            throw ConfigurationError(setting: setting, message: "must be from \(range.lowerBound) to \(range.upperBound)")
        }
        // A revocation's drain runs inside the rebalance callback, which holds up polling: past
        // max.poll.interval.ms the group would evict the member mid-drain (and its commit would be refused).
        let pollInterval = KafkaConsumerConfiguration(client: self.kafka, groupID: self.groupID).effectiveMaxPollInterval
        if self.rebalanceDrainTimeout + Self.pollIntervalMargin > pollInterval {
            throw ConfigurationError(
                setting: "rebalanceDrainTimeout",
                message: "must be at least \(Self.pollIntervalMargin) below max.poll.interval.ms (\(pollInterval)): the drain holds up polling")
        }
        if !R.maxRecordBytes.contains(self.limits.maxRecordBytes) || !R.maxContextBytes.contains(self.limits.maxContextBytes)
            || !R.maxIdLength.contains(self.limits.maxRequestIdLength) || !R.maxIdLength.contains(self.limits.maxCodeTaskIdLength)
        {
            throw ConfigurationError(
                setting: "limits",
                message: "maxRecordBytes must be from \(R.maxRecordBytes.lowerBound) to \(R.maxRecordBytes.upperBound), "
                    + "maxContextBytes from \(R.maxContextBytes.lowerBound) to \(R.maxContextBytes.upperBound), "
                    + "the id lengths from 1 to \(R.maxIdLength.upperBound)")
        }
    }

    /// How far below `max.poll.interval.ms` the revocation drain must end (commit, release, the poll loop's turn).
    static let pollIntervalMargin = Duration.seconds(5)

    /// The largest record the worker's producer sends, in bytes: `message.max.bytes` from ``kafka``'s properties,
    /// else librdkafka's default 1,000,000. Every output and dead-letter record is checked against it.
    public var maxPublishBytes: Int { KafkaProducerConfiguration(client: self.kafka).maxMessageBytes }

    /// The ranges ``validate()`` enforces (the command line refuses values outside them too).
    public enum SettingRanges {
        /// ``maxInFlight``.
        public static let maxInFlight = 1...10_000
        /// ``maxPendingRecords``.
        public static let maxPendingRecords = 1...1_000_000
        /// ``maxOutageRetries``.
        public static let maxOutageRetries = 0...1_000
        /// ``createdTopicPartitions``.
        public static let createdTopicPartitions = 1...10_000
        /// ``commitInterval``.
        public static let commitInterval = Duration.milliseconds(10)...Duration.seconds(3_600)
        /// ``shutdownGracePeriod``.
        public static let shutdownGracePeriod = Duration.milliseconds(1)...Duration.seconds(3_600)
        /// ``rebalanceDrainTimeout``.
        public static let rebalanceDrainTimeout = Duration.milliseconds(1)...Duration.seconds(3_600)
        /// ``maxPublishBackoff``.
        public static let maxPublishBackoff = Duration.milliseconds(1)...Duration.seconds(3_600)
        /// ``readyMaxRecordAge``.
        public static let readyMaxRecordAge = Duration.seconds(1)...Duration.seconds(86_400)
        /// ``assignmentReadLimit``.
        public static let assignmentReadLimit = Duration.seconds(1)...Duration.seconds(86_400)
        /// ``RequestLimits/maxRecordBytes``.
        public static let maxRecordBytes = 64...100_000_000
        /// ``RequestLimits/maxContextBytes`` (a limit above ``RequestLimits/maxRecordBytes`` is allowed; the record's
        /// limit then decides).
        public static let maxContextBytes = 2...100_000_000
        /// ``RequestLimits/maxRequestIdLength`` and ``RequestLimits/maxCodeTaskIdLength``.
        public static let maxIdLength = 1...1_024
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
