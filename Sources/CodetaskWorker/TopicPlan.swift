public import Kafka

/// What the worker requires of its topics, judged from the partition counts the cluster has. One judgement for
/// `run` (which creates what it may and refuses to start on the rest) and `check` (which reports it), so the two
/// cannot disagree. Pure.
public struct TopicPlan: Sendable, Equatable {
    /// What becomes of one topic.
    public enum Verdict: Sendable, Equatable {
        /// It exists, with this many partitions.
        case exists(partitions: Int)
        /// It is missing and `run` creates it with this many partitions.
        case create(partitions: Int)
        /// It is missing and `run` refuses to start (topics are created only with `--create-topics`).
        case missing
        /// The attempt journal has fewer partitions than the input: `run` refuses to start.
        case tooFewPartitions(partitions: Int, needed: Int)
        /// The journal's size cannot be judged: the input topic is missing (and not created).
        case inputMissing
    }

    /// What a topic is for; the raw value names it in `check`'s steps.
    public enum Role: String, Sendable, Equatable {
        case input, output, deadLetter = "dead-letter", journal
    }

    /// One topic: its role, its name and its verdict.
    public struct Entry: Sendable, Equatable {
        public let role: Role
        public let topic: String
        public let verdict: Verdict
    }

    /// The input, output and dead-letter topics, then the journal's when the journal is on.
    public let entries: [Entry]
    /// Why `run` refuses to start, if it does: the missing topics first, then a journal that is too small.
    public let refusal: WorkerError?

    /// The input topic's partition count, as found or as `run` creates it; `nil` when it is missing and not created.
    public var inputPartitions: Int? {
        switch self.entries.first(where: { $0.role == .input })?.verdict {
        case .exists(let partitions)?, .create(let partitions)?: partitions
        default: nil
        }
    }

    /// Judges the topics of `configuration` against `partitions` (the partition count of each existing topic).
    public init(_ configuration: WorkerConfiguration, partitions: [String: Int]) {
        let topics = configuration.topics
        var entries: [Entry] = []
        for (role, topic) in [(Role.input, topics.input), (.output, topics.output), (.deadLetter, topics.deadLetter)] {
            let verdict: Verdict
            if let count = partitions[topic] {
                verdict = .exists(partitions: count)
            } else if configuration.createMissingTopics {
                verdict = .create(partitions: configuration.createdTopicPartitions)
            } else {
                verdict = .missing
            }
            entries.append(Entry(role: role, topic: topic, verdict: verdict))
        }
        if configuration.attemptJournal {
            // One journal partition per input partition: the worker creates its journal like Kafka Streams creates
            // its internal topics, whether or not the other topics may be created.
            let inputPartitions = partitions[topics.input]
                ?? (configuration.createMissingTopics ? configuration.createdTopicPartitions : nil)
            let verdict: Verdict
            switch (partitions[topics.journal], inputPartitions) {
            case (let count?, let needed?) where count < needed: verdict = .tooFewPartitions(partitions: count, needed: needed)
            case (let count?, _): verdict = .exists(partitions: count)
            case (nil, let needed?): verdict = .create(partitions: needed)
            case (nil, nil): verdict = .inputMissing
            }
            entries.append(Entry(role: .journal, topic: topics.journal, verdict: verdict))
        }
        self.entries = entries
        let missing = entries.filter { $0.verdict == .missing }.map(\.topic)
        if !missing.isEmpty {
            self.refusal = .missingTopics(missing)
        } else if let journal = entries.last, case .tooFewPartitions(let count, let needed) = journal.verdict {
            self.refusal = .journalTooSmall(journal: journal.topic, partitions: count, inputPartitions: needed)
        } else {
            self.refusal = nil
        }
    }
}

extension TopicPlan {
    /// Reads the partition counts of the worker's topics (the journal's included when it is on) and judges them.
    /// - Throws: A ``KafkaError`` when the cluster cannot be asked.
    public static func read(_ configuration: WorkerConfiguration, admin: KafkaAdmin, timeout: Duration) async throws(KafkaError) -> TopicPlan {
        let names = configuration.topics.all + (configuration.attemptJournal ? [configuration.topics.journal] : [])
        let described = try await admin.describeTopics(names, timeout: timeout)
        return TopicPlan(configuration, partitions: Dictionary(described.map { ($0.name, $0.partitions.count) }) { first, _ in first })
    }
}
