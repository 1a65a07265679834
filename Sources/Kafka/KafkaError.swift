internal import CRdKafka

/// An error from the Kafka layer: a librdkafka error code, a message, and what the caller can do about it.
///
/// `isRetriable` says that the same operation may succeed if tried again later (a broker down, a timeout,
/// a full queue); `isPermanent` that the record concerned can never be published as it is (too large, invalid,
/// not authorised, its topic gone), so retrying it is pointless; `isFatal` that the client instance can no longer
/// be used and must be recreated; `transactionRequiresAbort` that the current transaction must be aborted before
/// anything else. An error that is none of these (a closed client, a purge at shutdown) is the caller's to judge.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error code, as librdkafka numbers and names it (`_MSG_TIMED_OUT`, `UNKNOWN_TOPIC_OR_PART`, ...).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// librdkafka's numeric code (`rd_kafka_resp_err_t`): negative for local errors, positive for broker errors.
        public let rawValue: Int32

        /// Creates a code from librdkafka's numeric value.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

        var cValue: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

        /// librdkafka's symbolic name of the code, e.g. `_MSG_TIMED_OUT`.
        public var name: String { String(cString: rd_kafka_err2name(cValue)) }

        public var description: String { name }

        /// No error.
        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        /// An invalid argument or configuration value.
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// A local operation timed out.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// A message was not acknowledged within `message.timeout.ms`.
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// The local producer queue is full.
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// A connection to a broker failed.
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        /// All brokers are down.
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        /// The client is in a state that does not allow the operation (for example: closed).
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        /// The client instance is being destroyed.
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        /// A fatal error occurred; the instance must be recreated.
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// A message was purged from the queue before it was delivered (shutdown).
        public static let purgedFromQueue = Code(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
        /// A message was purged while in flight (shutdown).
        public static let purgedInFlight = Code(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
        /// The topic or partition does not exist.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// The topic already exists.
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        /// The broker is not the leader of the partition.
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        /// The broker did not answer within its request timeout.
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        /// Fewer in-sync replicas than required.
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        /// The librdkafka found at run time is too old.
        public static let unsupportedVersion = Code(RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED)
        /// The record is larger than the producer's `message.max.bytes` or the broker's limit.
        public static let messageSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// The broker refused the record as invalid.
        public static let invalidRecord = Code(RD_KAFKA_RESP_ERR_INVALID_RECORD)
        /// The client may not write to (or read from) the topic.
        public static let topicAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        /// The topic is not known to the client (deleted, or never created).
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// The group is rebalancing (a commit is refused until it completes).
        public static let rebalanceInProgress = Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
        /// The member's group generation is stale (a rebalance went on without it).
        public static let illegalGeneration = Code(RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION)
        /// The coordinator no longer knows the member.
        public static let unknownMemberID = Code(RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID)
    }

    /// What went wrong, by code.
    public let code: Code
    /// A human-readable explanation (never contains secrets: librdkafka does not echo credentials).
    public let message: String
    /// The same operation may succeed if tried again.
    public let isRetriable: Bool
    /// The client instance can no longer be used.
    public let isFatal: Bool
    /// The current transaction must be aborted.
    public let transactionRequiresAbort: Bool

    /// The record concerned can never be published as it is: it is too large, invalid, refused by a policy, the
    /// client is not authorised, or its topic does not exist (the worker checks its topics at start-up, so a topic
    /// unknown later is gone). Retrying the same record is pointless; publish something else instead (the
    /// worker dead-letters it). Never true together with ``isRetriable``.
    public var isPermanent: Bool { !self.isRetriable && Self.permanentCodes.contains(self.code) }

    /// Whether a commit was refused because of the group's membership (a rebalance in progress, a stale
    /// generation, an unknown member): the partitions may be about to move.
    public var isGroupMembershipRefusal: Bool {
        [Code.rebalanceInProgress, .illegalGeneration, .unknownMemberID].contains(self.code)
    }

    /// Creates an error; retriability defaults to what the code implies.
    public init(code: Code, message: String, isRetriable: Bool? = nil, isFatal: Bool = false,
                transactionRequiresAbort: Bool = false) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable ?? Self.retriableCodes.contains(code)
        self.isFatal = isFatal || code == .fatal
        self.transactionRequiresAbort = transactionRequiresAbort
    }

    init(_ err: rd_kafka_resp_err_t, context: String? = nil) {
        let text = String(cString: rd_kafka_err2str(err))
        self.init(code: Code(err), message: context.map { "\($0): \(text)" } ?? text)
    }

    /// Takes ownership of a `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer, context: String? = nil) {
        defer { rd_kafka_error_destroy(error) }
        let text = String(cString: rd_kafka_error_string(error))
        let code = Code(rd_kafka_error_code(error))
        self.init(
            code: code,
            message: context.map { "\($0): \(text)" } ?? text,
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || Self.retriableCodes.contains(code),
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            transactionRequiresAbort: rd_kafka_error_txn_requires_abort(error) != 0
        )
    }

    /// Throws if `err` is not `NO_ERROR`.
    static func check(_ err: rd_kafka_resp_err_t, _ context: @autoclosure () -> String) throws(KafkaError) {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: context()) }
    }

    /// Throws (and destroys) the error object if there is one.
    static func check(_ error: OpaquePointer?, _ context: @autoclosure () -> String) throws(KafkaError) {
        if let error { throw KafkaError(consuming: error, context: context()) }
    }

    public var description: String {
        "KafkaError(\(code.name)\(isRetriable ? ", retriable" : "")\(isPermanent ? ", permanent" : "")"
            + "\(isFatal ? ", fatal" : ""): \(message)"
    }

    /// Codes that say a record can never be published as it is (see ``isPermanent``).
    static let permanentCodes: Set<Code> = Set([
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
        RD_KAFKA_RESP_ERR_INVALID_MSG, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE, RD_KAFKA_RESP_ERR__BAD_MSG,
        RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP, RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
        RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
        RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
    ].map(Code.init))

    /// Codes that describe a passing condition: the operation may succeed later.
    static let retriableCodes: Set<Code> = Set([
        RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE,
        RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR__IN_PROGRESS,
        RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
    ].map(Code.init))
}
