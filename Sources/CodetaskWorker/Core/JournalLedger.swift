import Kafka

/// One owned partition's side of the attempt journal, kept by the ``WorkerCore`` with the partition's state (so
/// it belongs to one ownership epoch, and a read for an earlier one cannot overwrite it): from which journal
/// offset the next owner must read to see every attempt that the committed position leaves unfinished (carried in
/// the commit's metadata, so the read is bounded by the work in progress, not by the journal's history), and what
/// earlier attempts left for the records' next jobs.
struct JournalLedger: Sendable {
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

    /// A journal checkpoint: a committed offset and the journal read start that goes with it.
    struct Checkpoint: Sendable, Hashable {
        var committed: Int64
        var start: Int64
    }

    /// Input offset → the earliest journal offset of an attempt for it that no commit covers yet.
    private(set) var attempts: [Int64: Int64] = [:]
    /// A journal offset at or below every entry written from now on (`nil`: unknown).
    private(set) var next: Int64?
    /// The last checkpoint asked for.
    private var checkpoint: Checkpoint?
    /// What earlier attempts left, by input offset, for the records' next jobs.
    private var earlier: [Int64: Earlier] = [:]

    /// The partition's journal as read at assignment: its attempts are tracked from their journal offsets (a
    /// commit of this position must still send the next owner to their outcomes); its open attempts become in
    /// doubt and its `answered` closes decided for the records' next jobs, except those of a job that still runs
    /// on this member (`running`: its own outcome settles them). A decided outcome this member's job left before
    /// the read came back stays decided.
    mutating func recovered(_ recovery: JournalRecovery, running: (Int64) -> Bool) {
        for (offset, journalOffset) in recovery.attempts { self.attempted(offset, at: journalOffset) }
        if let end = recovery.end { self.next = max(self.next ?? end, end) }
        for (offset, open) in recovery.open where !(open.mine && running(offset)) {
            self.leave(.inDoubt(open.attempt), at: offset)
        }
        for (offset, event) in recovery.decided where !running(offset) { self.leave(.decided(event: event), at: offset) }
    }

    /// A job for the record at `offset` ended, having written what `report` says.
    mutating func jobEnded(_ offset: Int64, _ report: JobJournalReport) {
        if let attempt = report.attemptOffset { self.attempted(offset, at: attempt) }
        if let end = report.end { self.next = max(self.next ?? end, end) }
        if let left = report.leaving { self.earlier[offset] = left }
    }

    /// Takes what an earlier attempt left for the record at `offset`, about to be started.
    mutating func takeEarlier(_ offset: Int64) -> Earlier? {
        self.earlier.removeValue(forKey: offset)
    }

    /// Where the next owner must start reading the partition's journal when the group's committed offset is
    /// `committed`: the earliest attempt of a record at or above it (`running` holds, for each record at or above
    /// it whose job runs, a journal offset at or below its attempt), else the journal's end as this member knows
    /// it; `nil` when unknown (the whole retained journal is then read). Records finished above the committed
    /// offset count as unfinished here: the next owner may not learn of them from the commit (a broker that
    /// drops its metadata, or metadata cut at its size limit), so it must read their outcomes in the journal.
    func readStart(committed: Int64, running: [Int64?]) -> Int64? {
        var start: Int64?
        for (offset, journalOffset) in self.attempts where offset >= committed { start = min(start ?? journalOffset, journalOffset) }
        for floor in running {
            guard let floor else { return nil }
            start = min(start ?? floor, floor)
        }
        return start ?? self.next
    }

    /// A commit of `committed` went through: attempts, and what they left, below it are forgotten (it covers
    /// them: they are never started again).
    mutating func committed(_ committed: Int64) {
        self.attempts = self.attempts.filter { $0.key >= committed }
        self.earlier = self.earlier.filter { $0.key >= committed }
    }

    /// The checkpoint to write for `point` (see ``readStart(committed:running:)``); `nil` when the start is
    /// unknown or the same as the partition's last checkpoint (nothing new to record).
    mutating func checkpoint(committed: Int64, start: Int64?) -> Checkpoint? {
        guard let start else { return nil }
        let checkpoint = Checkpoint(committed: committed, start: start)
        guard checkpoint != self.checkpoint else { return nil }
        self.checkpoint = checkpoint
        return checkpoint
    }

    private mutating func attempted(_ offset: Int64, at journalOffset: Int64) {
        self.attempts[offset] = min(self.attempts[offset] ?? journalOffset, journalOffset)
    }

    /// What the journal read says a record's next job inherits; a decided outcome already known here wins.
    private mutating func leave(_ left: Earlier, at offset: Int64) {
        if case .decided = self.earlier[offset] { return }
        self.earlier[offset] = left
    }
}

/// What a partition's journal said when it was read at assignment, for the ``WorkerCore``.
struct JournalRecovery: Sendable {
    /// An attempt without an outcome, and whether this member wrote it.
    struct Open: Sendable, Hashable {
        var attempt: JournalLedger.InDoubt
        var mine: Bool
    }

    /// Open attempts by input offset.
    var open: [Int64: Open] = [:]
    /// The events stored in `answered` closes whose publish may not have happened, by input offset.
    var decided: [Int64: KafkaOutgoingMessage] = [:]
    /// The earliest journal offset of an attempt for each input offset at or above the committed position.
    var attempts: [Int64: Int64] = [:]
    /// The journal offset the read reached.
    var end: Int64?
}

/// What one job wrote to the attempt journal, reported with its end.
struct JobJournalReport: Sendable, Hashable {
    /// The journal offset of the attempt it wrote, if any.
    var attemptOffset: Int64?
    /// One past the highest journal offset it wrote.
    var end: Int64?
    /// Without a published outcome: what the record's next job inherits (in doubt: a request may have reached
    /// Informatica; decided: the outcome is stored in the journal).
    var leaving: JournalLedger.Earlier?
}
