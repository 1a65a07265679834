/// Why the worker cannot start or had to stop.
public enum WorkerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// These topics do not exist and creating them was not asked for.
    case missingTopics([String])
    /// The worker had to stop: Kafka failed fatally (the producer or the consumer), or the reads of assigned
    /// partitions failed past their limit. Records without an acknowledged outcome were not committed and will be
    /// redone.
    case fatal(String)
    /// The attempt journal topic has fewer partitions than the input topic (one journal partition per input
    /// partition is needed).
    case journalTooSmall(journal: String, partitions: Int, inputPartitions: Int)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .missingTopics(let topics):
            return "the topic(s) \(topics.joined(separator: ", ")) do not exist; create them, or start with --create-topics"
        case .fatal(let reason):
            return "stopped on a fatal error (\(reason)); records without an acknowledged event were not committed"
        case .journalTooSmall(let journal, let partitions, let inputPartitions):
            return "the attempt journal topic \(journal) has \(partitions) partition(s) but the input has \(inputPartitions); "
                + "add partitions to it, name another with --journal-topic, or turn the journal off with --journal off"
        }
    }
}
