internal import CRdKafka
public import Logging

/// A topic as the cluster describes it.
public struct KafkaTopicDescription: Sendable, Hashable {
    /// The topic's name.
    public var name: String
    /// Its partition numbers, ascending.
    public var partitions: [Int32]
}

/// Topic administration: create topics and describe what exists.
public final class KafkaAdmin: Sendable {
    private let handle: RdKafkaHandle

    /// Creates an admin client.
    /// - Throws: ``KafkaError`` for an invalid configuration.
    public init(configuration: KafkaClientConfiguration, logger: Logger) throws(KafkaError) {
        handle = try RdKafkaHandle(kind: .producer, properties: configuration.librdkafkaProperties([:]),
                                   context: ClientContext(logger: logger))
    }

    /// Creates a topic.
    /// - Parameters:
    ///   - name: the topic's name.
    ///   - partitions: how many partitions it gets.
    ///   - replicationFactor: replicas per partition; `nil` for the broker's default.
    ///   - configs: topic configuration entries (`cleanup.policy`, `retention.ms`, ...).
    ///   - timeout: how long to wait for the cluster's answer.
    /// - Throws: ``KafkaError``; code ``KafkaError/Code/topicAlreadyExists`` when it exists.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int? = nil,
                            configs: [String: String] = [:], timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let handle = handle
        try await BlockingCall.run { () throws(KafkaError) in
            var errorText = [CChar](repeating: 0, count: 512)
            guard let topic = rd_kafka_NewTopic_new(name, Int32(partitions), Int32(replicationFactor ?? -1),
                                                   &errorText, errorText.count) else {
                throw KafkaError(code: .invalidArgument, message: "topic \(name): \(String(nulTerminated: errorText))")
            }
            defer { rd_kafka_NewTopic_destroy(topic) }
            for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
                try KafkaError.check(rd_kafka_NewTopic_set_config(topic, key, value), "topic \(name) config \(key)")
            }
            try Self.adminOperation(
                handle, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout, what: "create topic \(name)",
                send: { options, queue in
                    var topics: [OpaquePointer?] = [topic]
                    rd_kafka_CreateTopics(handle.pointer, &topics, 1, options, queue)
                },
                read: { event throws(KafkaError) in
                    var count = 0
                    let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
                    for index in 0..<count {
                        guard let result = results?[index] else { continue }
                        let err = rd_kafka_topic_result_error(result)
                        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                            let detail = rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? ""
                            throw KafkaError(code: KafkaError.Code(err), message: "create topic \(name): \(detail)")
                        }
                    }
                })
        }
    }

    /// Runs one admin operation: its options (with `timeout` as the operation and request timeout), `send` to a
    /// fresh queue, then the result event (waited for up to the timeout plus a second), whose error is checked
    /// before `read` gets it.
    private static func adminOperation<Result>(
        _ handle: RdKafkaHandle, _ operation: rd_kafka_admin_op_t, timeout: Duration, what: String,
        send: (_ options: OpaquePointer?, _ queue: OpaquePointer?) -> Void,
        read: (_ event: OpaquePointer) throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        var errorText = [CChar](repeating: 0, count: 512)
        let queue = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle.pointer, operation)
        defer { rd_kafka_AdminOptions_destroy(options) }
        // An operation timeout is refused by operations that have none (DescribeConfigs): ignored then.
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.int32Milliseconds, &errorText, errorText.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.int32Milliseconds, &errorText, errorText.count)
        send(options, queue)
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: Int(timeout.int32Milliseconds) + 1000)) else {
            throw KafkaError(code: .timedOut, message: "\(what) timed out")
        }
        defer { rd_kafka_event_destroy(event) }
        try KafkaError.check(rd_kafka_event_error(event), what)
        return try read(event)
    }

    /// Describes topics from the cluster's metadata.
    /// - Parameter names: the topics to describe, or `nil` for all (internal topics excluded).
    /// - Returns: the topics that exist, sorted by name; a name that does not exist is left out.
    public func describeTopics(_ names: [String]? = nil, timeout: Duration = .seconds(10)) async throws(KafkaError)
        -> [KafkaTopicDescription] {
        let handle = handle
        return try await BlockingCall.run { () throws(KafkaError) in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            try KafkaError.check(rd_kafka_metadata(handle.pointer, 1, nil, &metadata, timeout.int32Milliseconds),
                                 "fetch metadata")
            guard let metadata else { return [] }
            defer { rd_kafka_metadata_destroy(metadata) }
            let wanted = names.map(Set.init)
            var found: [KafkaTopicDescription] = []
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let topic = metadata.pointee.topics[index]
                let name = String(cString: topic.topic)
                guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR, !name.hasPrefix("__"),
                      wanted?.contains(name) ?? true else { continue }
                let partitions = (0..<Int(topic.partition_cnt)).map { topic.partitions[$0].id }.sorted()
                found.append(KafkaTopicDescription(name: name, partitions: partitions))
            }
            return found.sorted { $0.name < $1.name }
        }
    }

    /// A topic's configuration as the cluster describes it: every entry it reports (its defaults included), by
    /// name; an entry without a value (a sensitive one) is left out.
    /// - Throws: ``KafkaError``, with the broker's error when it cannot describe the topic (unknown topic, or a
    ///   broker that does not implement DescribeConfigs).
    public func describeTopicConfig(_ name: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> [String: String] {
        let handle = handle
        return try await BlockingCall.run { () throws(KafkaError) in
            guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name) else {
                throw KafkaError(code: .invalidArgument, message: "config resource for topic \(name)")
            }
            defer { rd_kafka_ConfigResource_destroy(resource) }
            return try Self.adminOperation(
                handle, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout: timeout, what: "describe configuration of topic \(name)",
                send: { options, queue in
                    var resources: [OpaquePointer?] = [resource]
                    rd_kafka_DescribeConfigs(handle.pointer, &resources, 1, options, queue)
                },
                read: { event throws(KafkaError) in
                    var count = 0
                    let results = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count)
                    guard count > 0, let result = results?[0] else { return [:] }
                    let err = rd_kafka_ConfigResource_error(result)
                    if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                        let detail = rd_kafka_ConfigResource_error_string(result).map { String(cString: $0) } ?? ""
                        throw KafkaError(code: KafkaError.Code(err), message: "describe configuration of topic \(name): \(detail)")
                    }
                    var entryCount = 0
                    let entries = rd_kafka_ConfigResource_configs(result, &entryCount)
                    var configs: [String: String] = [:]
                    for index in 0..<entryCount {
                        guard let entry = entries?[index], let value = rd_kafka_ConfigEntry_value(entry) else { continue }
                        configs[String(cString: rd_kafka_ConfigEntry_name(entry))] = String(cString: value)
                    }
                    return configs
                })
        }
    }

    /// The names of all topics (internal topics excluded).
    public func listTopics(timeout: Duration = .seconds(10)) async throws(KafkaError) -> [String] {
        try await describeTopics(nil, timeout: timeout).map(\.name)
    }
}
