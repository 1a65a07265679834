/// The CloudEvents types the worker publishes.
public enum EventType: String, Sendable, Hashable, CaseIterable {
    /// A code task job was started.
    case started = "codetask.job.started"
    /// A request ended without a known job: invalid, rejected, out of retries or time, in doubt, or with an
    /// unreadable answer (the last two may have started one).
    case failed = "codetask.start.failed"
}
