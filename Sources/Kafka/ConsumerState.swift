/// The Swift-side view of a consumer's partitions, kept behind a lock; no I/O, so it is testable directly.
///
/// librdkafka may already have handed over records of a partition that the application then pauses.
/// Those records are held here and released, in order, when the partition resumes, so a paused partition
/// yields nothing and a resumed one continues exactly where it stopped.
///
/// Every assignment of a partition gets a new generation, and every fetched record carries the generation
/// current when it was fetched (``Fetched``): a record fetched before its partition was revoked is dropped even
/// when the partition was assigned again in the same fetch loop (the new owner's position decides where the
/// partition continues, not a record left over from the old assignment).
struct ConsumerState: Sendable {
    /// What to do with a fetched record right now.
    enum Disposition: Equatable { case deliver, hold, drop }

    /// A fetched record with the generation count at the moment librdkafka handed it over.
    struct Fetched: Sendable, Equatable {
        var message: KafkaMessage
        var generation: UInt64
    }

    /// Counts the assignments so far: the generation of the latest one.
    private(set) var generation: UInt64 = 0
    /// Each assigned partition → the generation it was assigned in.
    private var assignedIn: [TopicPartition: UInt64] = [:]
    private(set) var paused: Set<TopicPartition> = []
    private(set) var held: [Fetched] = []
    var closed = false

    /// The partitions assigned now.
    var assigned: Set<TopicPartition> { Set(assignedIn.keys) }

    /// Stamps a record librdkafka just handed over with the current generation.
    func fetched(_ message: KafkaMessage) -> Fetched {
        Fetched(message: message, generation: generation)
    }

    func disposition(of record: Fetched) -> Disposition {
        // Assigned in a later generation than the record was fetched in: it belongs to an earlier assignment.
        guard let since = assignedIn[record.message.topicPartition], since <= record.generation else { return .drop }
        return paused.contains(record.message.topicPartition) ? .hold : .deliver
    }

    /// Takes a freshly fetched batch: returns what may be delivered now (held records of resumed partitions
    /// first), holds records of paused partitions, drops those of partitions no longer assigned or assigned
    /// again since they were fetched.
    mutating func admit(_ batch: [Fetched]) -> [Fetched] {
        let incoming = held.isEmpty ? batch : held + batch
        let dispositions = dispositions(of: incoming)
        held = []
        // The common case: every record may go out as it is.
        guard dispositions.contains(where: { $0 != .deliver }) else { return incoming }
        var deliverable: [Fetched] = []
        for (record, disposition) in zip(incoming, dispositions) {
            switch disposition {
            case .deliver: deliverable.append(record)
            case .hold: held.append(record)
            case .drop: break
            }
        }
        return deliverable
    }

    /// The disposition of each record, looked up once per run of records of the same partition and generation.
    private func dispositions(of records: [Fetched]) -> [Disposition] {
        var last: (partition: TopicPartition, generation: UInt64, disposition: Disposition)?
        return records.map { record in
            if let last, last.partition == record.message.topicPartition, last.generation == record.generation {
                return last.disposition
            }
            let found = disposition(of: record)
            last = (record.message.topicPartition, record.generation, found)
            return found
        }
    }

    /// Puts back a record that was about to be handed out when its partition got paused.
    mutating func hold(_ record: Fetched) {
        held.append(record)
    }

    /// Starts a new generation for these partitions (a partition still assigned keeps its generation).
    mutating func assign(_ partitions: [TopicPartition]) {
        generation &+= 1
        for partition in partitions where assignedIn[partition] == nil { assignedIn[partition] = generation }
    }

    mutating func revoke(_ partitions: [TopicPartition]) {
        for partition in partitions { assignedIn[partition] = nil }
        paused.subtract(partitions)
        held.removeAll { partitions.contains($0.message.topicPartition) }
    }

    mutating func pause(_ partitions: [TopicPartition]) {
        paused.formUnion(partitions)
    }

    mutating func resume(_ partitions: [TopicPartition]) {
        paused.subtract(partitions)
    }

    /// Forgets held records of a partition whose position is being moved (seek).
    mutating func forgetHeld(_ partition: TopicPartition) {
        held.removeAll { $0.message.topicPartition == partition }
    }
}
