/// The Swift-side view of a consumer's partitions, kept behind a lock; no I/O, so it is testable directly.
///
/// librdkafka may already have handed over records of a partition that the application then pauses.
/// Those records are held here and released, in order, when the partition resumes, so a paused partition
/// yields nothing and a resumed one continues exactly where it stopped.
struct ConsumerState: Sendable {
    /// What to do with a fetched record right now.
    enum Disposition: Equatable { case deliver, hold, drop }

    private(set) var assigned: Set<TopicPartition> = []
    private(set) var paused: Set<TopicPartition> = []
    private(set) var held: [KafkaMessage] = []
    var closed = false

    func disposition(of message: KafkaMessage) -> Disposition {
        if !assigned.contains(message.topicPartition) { return .drop }
        return paused.contains(message.topicPartition) ? .hold : .deliver
    }

    /// Takes a freshly fetched batch: returns what may be delivered now (held records of resumed partitions
    /// first), holds records of paused partitions, drops those of partitions no longer assigned.
    mutating func admit(_ batch: [KafkaMessage]) -> [KafkaMessage] {
        let incoming = held.isEmpty ? batch : held + batch
        let dispositions = dispositions(of: incoming)
        held = []
        // The common case: every record may go out as it is.
        guard dispositions.contains(where: { $0 != .deliver }) else { return incoming }
        var deliverable: [KafkaMessage] = []
        for (message, disposition) in zip(incoming, dispositions) {
            switch disposition {
            case .deliver: deliverable.append(message)
            case .hold: held.append(message)
            case .drop: break
            }
        }
        return deliverable
    }

    /// The disposition of each record, looked up once per run of records of the same partition.
    private func dispositions(of messages: [KafkaMessage]) -> [Disposition] {
        var last: (partition: TopicPartition, disposition: Disposition)?
        return messages.map { message in
            if let last, last.partition == message.topicPartition { return last.disposition }
            let found = disposition(of: message)
            last = (message.topicPartition, found)
            return found
        }
    }

    /// Puts back a record that was about to be handed out when its partition got paused.
    mutating func hold(_ message: KafkaMessage) {
        held.append(message)
    }

    mutating func assign(_ partitions: [TopicPartition]) {
        assigned.formUnion(partitions)
    }

    mutating func revoke(_ partitions: [TopicPartition]) {
        assigned.subtract(partitions)
        paused.subtract(partitions)
        held.removeAll { partitions.contains($0.topicPartition) }
    }

    mutating func pause(_ partitions: [TopicPartition]) {
        paused.formUnion(partitions)
    }

    mutating func resume(_ partitions: [TopicPartition]) {
        paused.subtract(partitions)
    }

    /// Forgets held records of a partition whose position is being moved (seek).
    mutating func forgetHeld(_ partition: TopicPartition) {
        held.removeAll { $0.topicPartition == partition }
    }
}
