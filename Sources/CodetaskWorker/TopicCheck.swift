import Kafka
import Logging

/// Makes sure the worker's topics exist before it joins the group, as ``TopicPlan`` judges them.
enum TopicCheck {
    /// Checks the topics; creates the ones the plan creates, else fails as the plan refuses.
    /// - Throws: ``WorkerError/missingTopics(_:)`` or ``WorkerError/journalTooSmall(journal:partitions:inputPartitions:)``,
    ///   or a ``KafkaError`` when the cluster cannot be asked.
    /// - Returns: The input topic's partition count (as found, or as created).
    @discardableResult
    static func ensure(_ configuration: WorkerConfiguration, logger: Logger) async throws -> Int? {
        let admin = try KafkaAdmin(configuration: configuration.kafka, logger: logger)
        let plan = try await TopicPlan.read(configuration, admin: admin, timeout: .seconds(30))
        if let refusal = plan.refusal { throw refusal }
        for entry in plan.entries {
            guard case .create(let partitions) = entry.verdict else { continue }
            let configs = entry.role == .journal ? Self.journalConfigs : [:]
            do {
                try await admin.createTopic(entry.topic, partitions: partitions, configs: configs)
            } catch {
                // Another member may have created it meanwhile.
                guard error.code == .topicAlreadyExists else { throw error }
                continue
            }
            logger.notice("Created topic", metadata: ["topic": "\(entry.topic)", "role": "\(entry.role.rawValue)", "partitions": "\(partitions)"])
        }
        return plan.inputPartitions
    }

    /// The attempt journal's topic configuration: compaction keeps each record's last entry (an attempt's close
    /// replaces it) and deletion after 7 days bounds the topic by time; the worker reads only from the position
    /// its commits carry, so neither the topic's size nor its age lengthens a read.
    static let journalConfigs = ["cleanup.policy": "compact,delete", "retention.ms": String(7 * 24 * 3_600_000)]
}
