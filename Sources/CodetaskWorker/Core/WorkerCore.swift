import Kafka

/// The worker's whole state as one pure state machine: events in, actions out; no I/O, no clock.
///
/// It owns every record's ticket and phase, each partition's ownership epoch and commit position, the
/// per-key queues and the in-flight limit, the pause reasons (breaker, back-pressure, stopping), revocation
/// and loss, and the stop sequence. The ``Worker`` shell feeds it events from one task and carries out the
/// actions it returns. Time arrives in events (`now`), so every deadline is testable without waiting.
///
/// The rules it keeps (each checked by the randomized test after every step):
/// - a partition's commit position never passes an unfinished record, and the offsets finished above it are
///   carried in the commit's metadata, so the next owner skips them;
/// - a record is started at most once per ownership epoch, never after its partition was revoked or lost or
///   the stop began, and never while a ticket of an earlier epoch for the same offset is still running;
/// - after ``Action/finish(failure:)`` nothing is in flight;
/// - the state stays bounded by the pending-record limit: every tracked record counts (unfinished ones and
///   those finished above a partition's lowest unfinished one), so one slow record pauses consumption rather
///   than let the state grow;
/// - a key with queued work of an owned partition is always offered for starting or has a job running.
struct WorkerCore<Payload: Sendable>: Sendable {
    /// Identifies one ticket: one record's work under one ownership epoch. Also its start order.
    typealias JobID = UInt64

    /// The machine's settings (durations are measured on the clock of the events' `now`).
    struct Settings: Sendable {
        /// Start calls in progress at once: a keyed job holds a slot until its call is over
        /// (``Event/callEnded(_:)``), not while it publishes the outcome.
        var maxInFlight = 32
        /// Tracked records (unfinished, or finished above a partition's lowest unfinished one) before consumption
        /// pauses (resuming at half).
        var maxPending = 1000
        /// How long a revocation waits for running jobs before cancelling them; also how long the calls of a
        /// lost partition may wind down (finish the request already sent) before they are cancelled.
        var drainTimeout: Duration = .seconds(20)
        /// How long a stop waits for running jobs before cancelling them.
        var gracePeriod: Duration = .seconds(20)
        /// How long cancelled jobs get to end before the machine goes on without them.
        var cancelWait: Duration = .seconds(1)
        /// Time after the grace period for the final commit, leaving the group and closing: the machine's stop
        /// bound is `gracePeriod + stopOverrun`. One second short of the process's bound (grace + 5 s): the
        /// process still ends its other services and exits after the worker returns.
        var stopOverrun: Duration = .seconds(4)
        /// How often finished positions are committed.
        var commitInterval: Duration = .seconds(1)
        /// How soon a refused commit is tried again.
        var commitRetryDelay: Duration = .milliseconds(250)
        /// How long commits and new starts wait for the rebalance callback after the group refused a commit.
        var rebalanceCommitPause: Duration = .seconds(10)
        /// How long a revocation's commit is retried before the partitions are released anyway.
        var revocationCommitBudget: Duration = .seconds(5)
        /// Time kept back from the stop bound for leaving the group, flushing and logging out.
        var closeReserve: Duration = .milliseconds(2500)
        /// Whether the attempt journal is on: every commit then carries metadata (the journal's read start), and
        /// on a broker not known to keep it each commit is followed by journal checkpoints.
        var journal = false
        /// How many times a record's Start may be held for an outage after a failed call (see
        /// ``WorkerCore/Held``) before its failure is published.
        var maxOutageRetries = 5
        /// How long no new Start begins after a job was held (Informatica is judged down; the breaker's own view
        /// arrives as an event and may come later).
        var holdPause: Duration = .milliseconds(200)
    }

    /// One record's work.
    struct Ticket: Sendable {
        enum Phase: Sendable, Equatable { case queued, running, cancelling }
        var id: JobID
        let source: RecordSource
        let epoch: UInt64
        /// The ordering key; `nil` for work that calls no one (a dead letter), which starts at once.
        let key: String?
        /// The work; a held job leaves the record's next start new work (what it learnt: the calls made so far).
        var payload: Payload
        /// When the record was polled.
        let arrivedAt: ContinuousClock.Instant
        var phase: Phase
        /// With the attempt journal, once running: a journal offset at or below the attempt its job writes (the
        /// journal's end as known when it began; `nil`: unknown), so a commit meanwhile sends the next owner there.
        var journalFloor: Int64? = nil
        /// Times a job of this record was held after a failed call during an outage (counted against
        /// ``Settings/maxOutageRetries``).
        var outageRetries = 0
        /// Queued again after its job was held, not begun since.
        var held = false
        /// Its job holds one of the ``Settings/maxInFlight`` call slots: from its start until its Start call is
        /// over (``Event/callEnded(_:)``) or the job ends. Keyed tickets only.
        var holdsCallSlot = false
    }

    let settings: Settings
    var tickets: [JobID: Ticket] = [:]
    var partitions: [TopicPartition: PartitionState<Payload>] = [:]
    /// Queued tickets per ordering key, and the keys with a ticket running or cancelling (of any epoch).
    var schedule = KeySchedule<JobID>()
    /// Tickets holding a call slot (see ``Ticket/holdsCallSlot``): what ``Settings/maxInFlight`` bounds.
    var runningKeyed = 0
    /// The records of tickets running or cancelling, of any epoch.
    var runningSources: Set<RecordSource> = []
    /// Tickets whose record still runs under a ticket of an earlier epoch: they start when it ends.
    var waitingOnEarlierEpoch: [RecordSource: JobID] = [:]
    var lifecycle = Lifecycle.running
    var breaker = BreakerView.closed
    var overloaded = false
    var paused: Set<TopicPartition> = []
    var revocations: [RevocationID: Revocation] = [:]
    var commitInFlight: CommitInFlight?
    var nextCommitAt: ContinuousClock.Instant?
    /// Set after a refused commit: the soonest the next one is sent.
    var commitRetryAt: ContinuousClock.Instant?
    /// Set when the group refused a commit because of a rebalance: until this member's next rebalance
    /// callback (or this time), no commit is sent and no new Start begins. Work that cannot be committed may be
    /// redone by the partition's next owner, and a commit sent from a generation the coordinator has already
    /// replaced makes librdkafka declare the whole assignment lost.
    var commitsAwaitRebalanceUntil: ContinuousClock.Instant?
    /// Set when a job was held: no new Start begins before it (see ``Settings/holdPause``).
    var startsHeldUntil: ContinuousClock.Instant?
    /// Rebalance callbacks (assigned, revoked, lost) seen so far: a commit refused by the group waits for the
    /// next one only if none came since it was sent.
    var rebalanceCallbacks: UInt64 = 0
    /// Whether the broker is known to keep commit metadata (Apache Kafka does; Tansu 0.6.0 drops it); once
    /// learnt, it stays (the broker's behaviour is not re-judged by a later read). See ``closesGaps``.
    var commitMetadataKept = false
    /// Whether revocations and stops run the queued records below a partition's highest started one ("close the
    /// gaps", within the drain or grace budget): only when the finished offsets above a gap have no other way to
    /// the next owner, that is when the broker is not known to keep commit metadata and there is no attempt
    /// journal (whose closed attempts the next owner reads). With either, a stop or revocation starts nothing
    /// new, so it is not spent on queued work and its calls in progress are not cut off at the grace.
    var closesGaps: Bool { !self.commitMetadataKept && !self.settings.journal }
    /// Whether a commit is being read back to learn ``commitMetadataKept``, or that was learnt.
    var metadataReadBack = MetadataReadBack.notYet
    var nextJobID: JobID = 1
    var nextEpoch: UInt64 = 1
    var nextRequestID: UInt64 = 1
    /// What this member knows finished in partitions it does not own now (durable outcomes, committed or not:
    /// what it finished before releasing them, and what jobs finished after their partition was lost), taken
    /// when a partition comes back, so it is not redone from a stale committed position.
    var finishedReleased: [TopicPartition: FinishedOffsets] = [:]
    /// Jobs of lost partitions winding down, with the time they are cancelled if still running.
    var windingDown: [JobID: ContinuousClock.Instant] = [:]
    /// What happened so far, for statistics.
    var counts = Counts()
    /// Why the worker is stopping, when it is a fatal error.
    var failure: String?

    init(settings: Settings) {
        self.settings = settings
    }

    /// Records queued again after their job was held, waiting for the breaker to admit calls.
    var heldCount: Int {
        self.tickets.values.count { $0.held && $0.phase == .queued }
    }

    /// Records tracked over the owned partitions (unfinished, finished above an unfinished one, or buffered
    /// while loading): what the pending limit bounds.
    var pendingTotal: Int {
        self.partitions.values.reduce(0) { $0 + $1.progress.trackedCount + $1.status.buffered.count }
    }
}

extension WorkerCore {
    /// Figures the shell copies into the worker's statistics.
    struct Counts: Sendable, Equatable {
        /// Records accepted from polls.
        var received = 0
        /// Records whose work never began (revoked, lost or stopping first); the next owner reads them.
        var notBegun = 0
        /// Records skipped because the committed position or its metadata showed them finished.
        var alreadyFinished = 0
        /// Commits acknowledged.
        var commits = 0
        /// Commits refused (retried).
        var commitFailures = 0
        /// Jobs cancelled.
        var cancelled = 0
    }

    /// Identifies a revocation in progress; the shell resumes the waiting rebalance callback with it.
    typealias RevocationID = UInt64
    /// Identifies a commit request.
    typealias CommitID = UInt64

    /// A revocation waiting for its partitions' running jobs.
    struct Revocation: Sendable {
        let partitions: [TopicPartition]
        var drainDeadline: ContinuousClock.Instant
        /// Set once the running jobs were cancelled: the machine goes on without them after this.
        var cancelDeadline: ContinuousClock.Instant?
    }

    /// A commit sent and not yet answered.
    struct CommitInFlight: Sendable {
        let id: CommitID
        let points: [TopicPartition: CommitPoint]
        /// ``WorkerCore/rebalanceCallbacks`` when it was sent.
        let sentAfterCallbacks: UInt64
    }

    /// Learning whether the broker keeps commit metadata: once per worker, from the first commit that carried
    /// some (read again after a read-back that failed).
    enum MetadataReadBack: Sendable, Equatable { case notYet, reading, learnt }

    /// The circuit breaker as the machine sees it.
    enum BreakerView: Sendable, Equatable {
        case closed
        case open(until: ContinuousClock.Instant)
        case halfOpen
    }
}
