import Kafka
import Synchronization

/// This worker's side of the attempt journal: where its attempts were written, which recovered attempts are in
/// doubt, and from which journal offset the next owner of a partition must read to see every attempt that the
/// committed position leaves unfinished (carried in the commit's metadata, so the read is bounded by the work in
/// progress, not by the journal's history).
final class JournalLedger: Sendable {
    /// An attempt whose outcome is unknown: another member's (or this member's earlier) attempt that may have
    /// started a job.
    struct InDoubt: Sendable, Hashable {
        /// The member that made it.
        var member: String
        /// When, ISO 8601.
        var at: String
    }

    /// What an earlier attempt at a record left for the record's next job.
    enum Earlier: Sendable, Hashable {
        /// A request may have been sent and no outcome is known: the in-doubt policy decides.
        case inDoubt(InDoubt)
        /// The outcome was decided and its event stored in the journal (an `answered` close) but perhaps not
        /// published: the next job publishes this event again and starts nothing.
        case decided(event: KafkaOutgoingMessage)
    }

    private struct PartitionLedger {
        /// Input offset → the earliest journal offset of an attempt for it that no commit covers yet.
        var attempts: [Int64: Int64] = [:]
        /// A journal offset at or below every entry written from now on.
        var next: Int64?
        /// The committed offset and read start of the last checkpoint written.
        var checkpoint: (offset: Int64, start: Int64)?
    }

    private struct State {
        var partitions: [TopicPartition: PartitionLedger] = [:]
        var earlier: [RecordSource: Earlier] = [:]
        /// Records whose attempt this member wrote and whose job still runs.
        var active: Set<RecordSource> = []
        /// Each partition's latest assignment epoch (the worker core's), see ``assigning(_:epoch:)``.
        var epochs: [TopicPartition: UInt64] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Partitions are being read at assignment under the worker core's ownership `epoch`: from now on, a
    /// recovery read for an earlier epoch is ignored (see ``recovered(_:epoch:scan:member:)``).
    func assigning(_ partitions: [TopicPartition], epoch: UInt64) {
        self.state.withLock { state in
            for partition in partitions { state.epochs[partition] = max(state.epochs[partition] ?? epoch, epoch) }
        }
    }

    /// A partition's journal was read at assignment under `epoch`: its attempts above the committed position,
    /// finished or open, are tracked from their journal offsets (a commit of this position must still send the
    /// next owner to their outcomes); its open attempts become in doubt for the records' next jobs, and its
    /// `answered` closes decided (the next job publishes the stored event), except `member`'s own whose job still
    /// runs here (that job's outcome settles them).
    ///
    /// Decided under one lock with the running jobs, so a job that ends in doubt meanwhile is never lost. A read for
    /// an epoch older than the partition's latest assignment is stale (the partition was revoked and assigned
    /// again while it ran) and changes nothing.
    /// - Returns: What the records' next jobs inherit, by input offset (in doubt or decided), or `nil` when the
    ///   read was stale and ignored.
    func recovered(_ partition: TopicPartition, epoch: UInt64, scan: JournalScan, member: String, outputTopic: String)
        -> [Int64: Earlier]?
    {
        self.state.withLock { state -> [Int64: Earlier]? in
            if let latest = state.epochs[partition], latest > epoch { return nil }
            state.epochs[partition] = epoch
            let source = { (offset: Int64) in RecordSource(topic: partition.topic, partition: partition.partition, offset: offset) }
            var earlier: [Int64: Earlier] = [:]
            for (offset, attempt) in scan.open where !(attempt.member == member && state.active.contains(source(offset))) {
                earlier[offset] = .inDoubt(InDoubt(member: attempt.member, at: attempt.at))
            }
            for (offset, close) in scan.answered where !state.active.contains(source(offset)) {
                if let event = JournalEntry.storedEvent(in: close, outputTopic: outputTopic) { earlier[offset] = .decided(event: event) }
            }
            var ledger = PartitionLedger()
            ledger.attempts = scan.attempts    // the open attempts' earliest journal offsets included
            ledger.next = scan.end
            state.partitions[partition] = ledger
            state.earlier = state.earlier.filter { $0.key.topicPartition != partition }
            for (offset, left) in earlier { state.earlier[source(offset)] = left }
            return earlier
        }
    }

    /// An entry about `source` was acknowledged at `journalOffset`; an attempt is tracked until a commit covers it.
    func written(_ kind: JournalEntry.Kind, source: RecordSource, journalOffset: Int64) {
        self.state.withLock { state in
            var ledger = state.partitions[source.topicPartition] ?? PartitionLedger()
            if kind == .attempt { ledger.attempts[source.offset] = min(ledger.attempts[source.offset] ?? journalOffset, journalOffset) }
            ledger.next = max(ledger.next ?? 0, journalOffset + 1)
            state.partitions[source.topicPartition] = ledger
        }
    }

    /// Where the next owner must start reading the partition's journal when the group's committed offset is
    /// `committed`: the earliest attempt of a record at or above it, else the journal's end as this member knows
    /// it; `nil` when unknown (the whole retained journal is then read). Attempts, and what they left, below the
    /// committed offset are forgotten (a commit covers them: they are never started again). Records finished
    /// above the committed offset count as unfinished here: the next owner may not learn of them from the commit
    /// (a broker that drops its metadata, or metadata cut at its size limit), so it must read their outcomes in
    /// the journal.
    func readStart(_ partition: TopicPartition, committed: Int64) -> Int64? {
        self.state.withLock { state in
            guard var ledger = state.partitions[partition] else { return nil }
            ledger.attempts = ledger.attempts.filter { $0.key >= committed }
            state.partitions[partition] = ledger
            state.earlier = state.earlier.filter { $0.key.topicPartition != partition || $0.key.offset >= committed }
            return ledger.attempts.values.min() ?? ledger.next
        }
    }

    /// The read start a checkpoint of the `committed` offset records (see ``readStart(_:committed:)``); `nil` when
    /// it is unknown or the same as the partition's last checkpoint (nothing new to record).
    func checkpointStart(_ partition: TopicPartition, committed: Int64) -> Int64? {
        guard let start = self.readStart(partition, committed: committed) else { return nil }
        return self.state.withLock { state -> Int64? in
            if let last = state.partitions[partition]?.checkpoint, last.offset == committed, last.start == start { return nil }
            state.partitions[partition]?.checkpoint = (committed, start)
            return start
        }
    }

    /// This member's job for `source` wrote its attempt and runs.
    func began(_ source: RecordSource) {
        self.state.withLock { _ = $0.active.insert(source) }
    }

    /// This member's job for `source` ended; with `earlier` (no outcome published, and a request may have been
    /// sent, or the outcome is stored in the journal), the record's next job here inherits it.
    func ended(_ source: RecordSource, leaving earlier: Earlier?) {
        self.state.withLock { state in
            state.active.remove(source)
            if let earlier { state.earlier[source] = earlier }
        }
    }

    /// Takes what an earlier attempt left for a record about to be started, if anything.
    func takeEarlier(_ source: RecordSource) -> Earlier? {
        self.state.withLock { $0.earlier.removeValue(forKey: source) }
    }

}
