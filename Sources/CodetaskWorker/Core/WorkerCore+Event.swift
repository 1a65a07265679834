import Kafka

extension WorkerCore {
    /// Something that happened, with the time it is handled at.
    enum Event: Sendable {
        /// Records returned by a poll (in offset order per partition).
        case polled([IncomingRecord<Payload>])
        /// The worker must stop: a poll found librdkafka failed fatally, or reads at assignment were given up.
        case fatalError(String)
        /// A job ended: `finished` when its outcome (event or dead letter) is acknowledged by the broker; `journal`
        /// says what it wrote to the attempt journal (and, unfinished, what the record's next job inherits).
        /// `held`: it ended without an outcome because Informatica is judged down (see ``Held``).
        case jobEnded(JobID, finished: Bool, journal: JobJournalReport? = nil, held: Held? = nil)
        /// A running job's Start call is over (answered, or never sent): the job goes on storing and publishing
        /// the outcome, and its in-flight slot is free for the next Start (``Settings/maxInFlight`` bounds
        /// calls, not publishes; the key stays busy until the job ends).
        case callEnded(JobID)
        /// Partitions were added to this member's assignment.
        case assigned([TopicPartition])
        /// The committed position of a newly assigned partition was read (`nil`: none), with what its attempt
        /// journal says from there on (when the journal is on).
        case committedRead(TopicPartition, epoch: UInt64, CommitPoint?, journal: JournalRecovery? = nil)
        /// Partitions are being revoked; the callback waits for ``Action/completeRevocation(_:commit:journalStarts:until:)``.
        case revoked([TopicPartition], RevocationID)
        /// Partitions were lost (session timeout, fenced): another member may own them already.
        case lost([TopicPartition])
        /// A commit was answered.
        case commitEnded(CommitID, CommitResult)
        /// The circuit breaker changed.
        case breaker(BreakerView)
        /// A stop was requested (first signal).
        case stopRequested
        /// A commit was read back: whether the broker kept its metadata.
        case commitMetadataKept(Bool)
        /// A commit could not be read back (unreadable, or another commit came in between): the next commit
        /// that carries metadata is read back instead.
        case commitReadBackFailed
        /// The consumer left the group and closed.
        case closeEnded
        /// Time passed.
        case tick
    }

    /// What the shell must do.
    enum Action: Sendable {
        /// Begin a job: a Start call and its event, or a dead-letter copy; `earlier` is what an earlier attempt
        /// at the record left (in doubt, or an outcome to publish again instead of starting anything).
        case startJob(JobID, RecordSource, Payload, JobContext)
        /// Cancel these jobs for real (an HTTP call in progress is cancelled).
        case cancelJobs([JobID], reason: CancelReason)
        /// Let these jobs send no further request: a request already sent gets its answer (and its outcome is
        /// published); waits, backoff and held requests end at once.
        case windDownJobs([JobID])
        /// Stop fetching these partitions.
        case pause([TopicPartition])
        /// Fetch these partitions again.
        case resume([TopicPartition])
        /// Read the committed positions (with metadata) of newly assigned partitions of this epoch.
        case readCommitted([TopicPartition], epoch: UInt64)
        /// Commit these positions (with metadata: the finished offsets above each, and with the attempt journal
        /// where the next owner reads it from) and report ``Event/commitEnded(_:_:)``.
        case commit(CommitID, [TopicPartition: CommitPoint], journalStarts: [TopicPartition: Int64])
        /// Commit these positions (retrying a refused commit until `until`), then let the revocation complete
        /// (resume the waiting rebalance callback), by `until` at the latest.
        case completeRevocation(
            RevocationID, commit: [TopicPartition: CommitPoint], journalStarts: [TopicPartition: Int64], until: ContinuousClock.Instant)
        /// Read this partition's committed position back and report whether the broker kept the metadata
        /// committed with `point` (``Event/commitMetadataKept(_:)``, or ``Event/commitReadBackFailed``).
        case readBackCommit(TopicPartition, CommitPoint)
        /// Write these attempt-journal checkpoints (a broker not known to keep commit metadata cannot carry the
        /// journal's read start in the commit).
        case writeCheckpoints([TopicPartition: JournalLedger.Checkpoint])
        /// Leave the group and close the consumer, then report ``Event/closeEnded``; give up waiting at `until`.
        case close(until: ContinuousClock.Instant)
        /// Return from `run()` (after flushing the producer and shutting the client down).
        case finish(failure: String?)
    }

    /// A job that ended because Informatica is judged down: its call was turned away by the circuit breaker, or
    /// failed (certainly not acted on) while the breaker was not closed. The record goes back to the head of its
    /// key's queue with `payload`, and starts again once the breaker admits calls (never after a stop began or
    /// its partition went: the next owner starts it then).
    struct Held: Sendable {
        /// The work to start again: what the job learnt (the calls made so far, whose attempts the outcome carries).
        var payload: Payload
        /// Whether it is held after a failed call during an outage (counted against
        /// ``Settings/maxOutageRetries``); `false`: the breaker turned the call away (Informatica was not called).
        var outageRetry: Bool
    }

    /// What a started job is told besides its work.
    struct JobContext: Sendable, Hashable {
        /// What an earlier attempt at the record left: in doubt, or an outcome to publish again instead of
        /// starting anything.
        var earlier: JournalLedger.Earlier?
        /// How many more times the job may be held after a failed call during an outage; at 0 it publishes the
        /// failure.
        var outageRetriesLeft: Int
    }

    /// How a commit ended.
    enum CommitResult: Sendable, Equatable {
        case succeeded
        /// Refused because of the group's membership (rebalance in progress, stale generation): the partitions
        /// may move, so no new Start begins until a commit goes through.
        case refusedByGroup
        /// Failed otherwise (coordinator unreachable, timeout).
        case failed
    }

    /// Why jobs are cancelled.
    enum CancelReason: Sendable, Equatable {
        case revocationDrainOver, partitionsLost, gracePeriodOver, fatalError
    }
}

/// A polled record as the machine sees it.
struct IncomingRecord<Payload: Sendable>: Sendable {
    /// Where it came from.
    var source: RecordSource
    /// Its ordering key; `nil` for work that calls no one (a dead letter).
    var orderingKey: String?
    /// What the shell needs to do the work.
    var payload: Payload
}
