import Logging

/// What a newly assigned partition reads before any of its records may start, named for logs and the
/// `codetask_worker_assignment_read_failures_total` metric's `read` label.
enum AssignmentRead: String, Sendable, CustomStringConvertible {
    case committedOffsets = "committed_offsets"
    case journal = "attempt_journal"
    case journalCheckpoint = "journal_checkpoint"

    /// How log lines name it.
    var description: String {
        switch self {
        case .committedOffsets: "committed offsets"
        case .journal: "the attempt journal"
        case .journalCheckpoint: "the attempt journal's checkpoints"
        }
    }
}

/// How a read at assignment is retried: with exponential backoff from 100 ms to ``maxDelay`` (the partitions
/// start nothing meanwhile: without their position and journal, finished records would start again), escalated
/// once it has failed for longer than `escalateAfter` (an error-level log line on the first failure past it and
/// every ``errorEvery`` failures after; readiness shows the partitions meanwhile, see ``PartitionLoading``), and
/// given up once it has failed for longer than `giveUpAfter`: the worker then stops with an error naming the
/// partitions, so the group gives them to a member that can read them. Pure, so the schedule is tested without
/// a broker.
struct ReadRetry: Sendable {
    /// The longest pause between two tries.
    static let maxDelay: Duration = .seconds(4)
    /// Once escalated, every how many failures an error-level line is logged.
    static let errorEvery = 5

    /// What to do after a failure.
    struct Step: Sendable, Equatable {
        /// The pause before the next try.
        var delay: Duration
        /// The level of the failure's log line.
        var level: Logger.Level
        /// Whether the reads have failed for longer than the bound.
        var escalated: Bool
        /// Whether the reads have failed for longer than the limit: no more tries.
        var givesUp = false
    }

    private let began: ContinuousClock.Instant
    private let escalateAfter: Duration
    private let giveUpAfter: Duration
    /// Failures so far.
    private(set) var failures = 0
    /// Failures counted when the bound was passed.
    private var failuresAtEscalation: Int?

    /// - Parameters:
    ///   - began: When the first try began.
    ///   - escalateAfter: How long the reads may fail before they are escalated.
    ///   - giveUpAfter: How long the reads may fail before they are given up.
    init(began: ContinuousClock.Instant, escalateAfter: Duration, giveUpAfter: Duration) {
        self.began = began
        self.escalateAfter = escalateAfter
        self.giveUpAfter = giveUpAfter
    }

    /// Records a failure at `now`.
    /// - Returns: The pause before the next try and how loudly to log this failure.
    mutating func failed(now: ContinuousClock.Instant) -> Step {
        failures += 1
        // 100 ms, doubled per failure (the shift stays small, so nothing overflows), at most `maxDelay`.
        let delay = min(.milliseconds(100) * (1 << min(failures - 1, 10)), Self.maxDelay)
        guard now - began <= giveUpAfter else { return Step(delay: .zero, level: .error, escalated: true, givesUp: true) }
        guard now - began > escalateAfter else {
            // A notice for a blip, a warning once it lasts (then every tenth try).
            let level: Logger.Level = failures < 3 ? .notice : (failures % 10 == 3 ? .warning : .info)
            return Step(delay: delay, level: level, escalated: false)
        }
        let since = failuresAtEscalation ?? failures
        failuresAtEscalation = since
        return Step(delay: delay, level: (failures - since) % Self.errorEvery == 0 ? .error : .info, escalated: true)
    }
}
