import Kafka
import Logging

/// Makes sure the worker's topics exist before it joins the group.
enum TopicCheck {
    /// Checks the topics; creates the missing ones when asked, else fails naming them.
    /// - Throws: ``WorkerError/missingTopics(_:)``, or a ``KafkaError`` when the cluster cannot be asked.
    static func ensure(_ configuration: WorkerConfiguration, logger: Logger) async throws {
        let admin = try KafkaAdmin(configuration: configuration.kafka, logger: logger)
        let existing = Set(try await admin.listTopics(timeout: .seconds(30)))
        let missing = configuration.topics.all.filter { !existing.contains($0) }
        guard !missing.isEmpty else { return }
        guard configuration.createMissingTopics else { throw WorkerError.missingTopics(missing) }
        for topic in missing {
            try await admin.createTopic(topic, partitions: configuration.createdTopicPartitions)
            logger.notice("Created topic", metadata: ["topic": "\(topic)", "partitions": "\(configuration.createdTopicPartitions)"])
        }
    }
}
