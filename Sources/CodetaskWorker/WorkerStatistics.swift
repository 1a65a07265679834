/// What a worker has done since it started; read it with ``Worker/statistics``.
public struct WorkerStatistics: Sendable, Hashable, CustomStringConvertible {
    /// Input records handed to the worker.
    public var received = 0
    /// `codetask.job.started` events acknowledged by the broker.
    public var started = 0
    /// `codetask.start.failed` events acknowledged (including those for rejected records).
    public var failed = 0
    /// Records copied to the dead-letter topic and acknowledged.
    public var deadLettered = 0
    /// Publish attempts that failed and were retried.
    public var publishRetries = 0
    /// Records whose work did not begin because their partition was revoked or the worker was stopping
    /// (they are read again by the next owner).
    public var notBegun = 0
    /// Records skipped because the group's committed position or its metadata showed them finished.
    public var alreadyFinished = 0
    /// Periodic and final commits the group acknowledged.
    public var commits = 0
    /// Commits refused (during a rebalance, from a stale generation) and sent again.
    public var commitFailures = 0
    /// Jobs cancelled (revocation drain over, partitions lost, grace period over).
    public var cancelled = 0
    /// Records found in doubt in the attempt journal (an earlier attempt without an outcome), failed or retried.
    public var inDoubt = 0
    /// Records whose outcome an earlier attempt stored in the journal: their event was published again, nothing
    /// was started.
    public var republished = 0
    /// Attempt-journal records read at assignments (including the search for a checkpoint).
    public var journalRecordsRead = 0

    /// Start jobs in progress now (a gauge, not a count): calling Informatica, backing off or held.
    public var inFlight = 0
    /// Requests held now (a gauge) while the circuit breaker judges Informatica down.
    public var held = 0

    /// Zeroes.
    public init() {}

    /// `received=… started=… failed=… dead-lettered=… …`.
    public var description: String {
        "received=\(self.received) started=\(self.started) failed=\(self.failed) dead-lettered=\(self.deadLettered) "
            + "publish-retries=\(self.publishRetries) not-begun=\(self.notBegun) already-finished=\(self.alreadyFinished) "
            + "commits=\(self.commits) commit-failures=\(self.commitFailures) cancelled=\(self.cancelled) in-doubt=\(self.inDoubt) "
            + "republished=\(self.republished) journal-read=\(self.journalRecordsRead)"
    }
}
