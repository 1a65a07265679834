/// The CloudEvents types the worker publishes.
public enum EventType: String, Sendable, Hashable, CaseIterable {
    /// A code task job was started.
    case started = "codetask.job.started"
    /// A request ended without a job: invalid, rejected, or out of retries or time.
    case failed = "codetask.start.failed"
}
