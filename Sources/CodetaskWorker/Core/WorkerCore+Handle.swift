extension WorkerCore {
    /// Handles one event at `now` and returns what the shell must do, in order.
    mutating func handle(_ event: Event, now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        switch event {
        case .polled(let records):
            for record in records { self.accept(record, now: now, into: &actions) }
        case .fatalError(let message):
            self.fail(message, now: now, into: &actions)
        case .jobEnded(let id, let finished, let journal, let held):
            self.jobEnded(id, finished: finished, journal: journal, held: held, now: now, into: &actions)
        case .callEnded(let id):
            self.callEnded(id)
        case .assigned(let partitions):
            self.rebalanceCallbackSeen()
            self.assign(partitions, into: &actions)
        case .committedRead(let partition, let epoch, let point, let journal):
            self.committedRead(partition, epoch: epoch, point: point, journal: journal, now: now, into: &actions)
        case .revoked(let partitions, let id):
            self.rebalanceCallbackSeen()
            self.revoke(partitions, id: id, now: now, into: &actions)
        case .lost(let partitions):
            self.rebalanceCallbackSeen()
            self.lose(partitions, now: now, into: &actions)
        case .commitEnded(let id, let result):
            self.commitEnded(id, result, now: now, into: &actions)
        case .breaker(let view):
            self.breaker = view
        case .stopRequested:
            self.requestStop(now: now, into: &actions)
        case .commitMetadataKept(let kept):
            self.metadataReadBack = .learnt
            self.learnCommitMetadataKept(kept)
        case .commitReadBackFailed:
            if self.metadataReadBack == .reading { self.metadataReadBack = .notYet }
        case .closeEnded:
            self.closeEnded(into: &actions)
        case .tick:
            break
        }
        self.advance(now: now, into: &actions)
        return actions
    }

    /// A rebalance callback came: commits and starts no longer wait for one, and a refusal of a commit sent
    /// before it no longer counts as a reason to wait.
    private mutating func rebalanceCallbackSeen() {
        self.commitsAwaitRebalanceUntil = nil
        self.rebalanceCallbacks &+= 1
    }

    /// A commit read back showed whether the broker keeps commit metadata. Knowledge of the broker only grows:
    /// once kept, the finished offsets above a gap travel with the commit, so the queued work that revocations
    /// and the stop kept to close gaps is dropped (never started by this member; the next owner reads it).
    private mutating func learnCommitMetadataKept(_ kept: Bool) {
        guard kept, !self.commitMetadataKept else { return }
        self.commitMetadataKept = true
        for (partition, state) in self.partitions where state.status.isRevoking || !self.lifecycle.isRunning {
            self.dropUnstarted(of: partition)
        }
    }

    /// Moves every deadline-driven part forward: revocations, the stop sequence, starts, commits, pauses.
    private mutating func advance(now: ContinuousClock.Instant, into actions: inout [Action]) {
        self.progressRevocations(now: now, into: &actions)
        self.progressWindDowns(now: now, into: &actions)
        self.progressStop(now: now, into: &actions)
        self.startReadyJobs(now: now, into: &actions)
        self.commitPeriodically(now: now, into: &actions)
        self.updatePauses(now: now, into: &actions)
    }

    /// When the oldest record still queued or running (of any epoch) was polled; `nil` when none is.
    var oldestUnfinishedArrival: ContinuousClock.Instant? {
        self.tickets.values.lazy.map(\.arrivedAt).min()
    }

    /// Whether the machine reached its end (``Action/finish(failure:)`` was returned).
    var isClosed: Bool { self.lifecycle == .closed }

    /// Whether the shell should keep a poll outstanding: until the consumer is being closed, and not after a
    /// fatal error.
    var wantsPolling: Bool {
        guard self.failure == nil else { return false }
        switch self.lifecycle {
        case .closing, .closed: return false
        default: return true
        }
    }
}
