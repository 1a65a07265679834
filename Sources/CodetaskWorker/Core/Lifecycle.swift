/// Where the worker is between start and the end of its stop sequence.
enum Lifecycle: Sendable, Equatable {
    /// Taking records.
    case running
    /// Stop requested: no record begins; running jobs finish until `graceDeadline`.
    case draining(graceDeadline: ContinuousClock.Instant, hardDeadline: ContinuousClock.Instant)
    /// The grace period is over: running jobs were cancelled; they get until `until` to end.
    case cancelling(until: ContinuousClock.Instant, hardDeadline: ContinuousClock.Instant)
    /// Committing the finished positions, retried until `hardDeadline` minus the time to close.
    case finalCommit(hardDeadline: ContinuousClock.Instant)
    /// Leaving the group; the machine goes on without the consumer's answer at `until`.
    case closing(until: ContinuousClock.Instant)
    /// Done; the shell returns from `run()`.
    case closed

    /// Whether records are still taken and started.
    var isRunning: Bool { self == .running }

    /// The end of the grace period, while draining.
    var graceDeadline: ContinuousClock.Instant? {
        if case .draining(let grace, _) = self { return grace }
        return nil
    }

    /// The stop bound: the sequence ends by then whatever Kafka or Informatica do.
    var hardDeadline: ContinuousClock.Instant? {
        switch self {
        case .draining(_, let hard), .cancelling(_, let hard), .finalCommit(let hard): return hard
        case .running, .closing, .closed: return nil
        }
    }
}
