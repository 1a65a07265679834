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
        if !missing.isEmpty {
            guard configuration.createMissingTopics else { throw WorkerError.missingTopics(missing) }
            for topic in missing {
                try await admin.createTopic(topic, partitions: configuration.createdTopicPartitions)
                logger.notice("Created topic", metadata: ["topic": "\(topic)", "partitions": "\(configuration.createdTopicPartitions)"])
            }
        }
        if configuration.attemptJournal { try await Self.ensureJournal(configuration, admin: admin, logger: logger) }
    }

    /// The attempt journal's topic configuration: compaction keeps each record's last entry (an attempt's close
    /// replaces it) and deletion after 7 days bounds the topic by time; the worker reads only from the position
    /// its commits carry, so neither the topic's size nor its age lengthens a read.
    static let journalConfigs = ["cleanup.policy": "compact,delete", "retention.ms": String(7 * 24 * 3_600_000)]

    /// Creates the journal topic when missing (one partition per input partition: the worker's own topic, like
    /// Kafka Streams' internal topics) and refuses to start when it has fewer partitions than the input.
    private static func ensureJournal(_ configuration: WorkerConfiguration, admin: KafkaAdmin, logger: Logger) async throws {
        let topics = configuration.topics
        let described = try await admin.describeTopics([topics.input, topics.journal], timeout: .seconds(30))
        guard let input = described.first(where: { $0.name == topics.input }) else { throw WorkerError.missingTopics([topics.input]) }
        if let journal = described.first(where: { $0.name == topics.journal }) {
            guard journal.partitions.count >= input.partitions.count else {
                throw WorkerError.journalTooSmall(
                    journal: topics.journal, partitions: journal.partitions.count, inputPartitions: input.partitions.count)
            }
            return
        }
        do {
            try await admin.createTopic(topics.journal, partitions: input.partitions.count, configs: Self.journalConfigs)
        } catch {
            // Another member may have created it meanwhile.
            guard error.code == .topicAlreadyExists else { throw error }
            return
        }
        logger.notice("Created the attempt journal topic", metadata: ["topic": "\(topics.journal)", "partitions": "\(input.partitions.count)"])
    }
}
