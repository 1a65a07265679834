import Kafka

extension WorkerCore {
    /// The first stop signal: no record begins from now on; running jobs get the grace period.
    mutating func requestStop(now: ContinuousClock.Instant, into actions: inout [Action]) {
        guard self.lifecycle.isRunning else { return }
        let grace = now + self.settings.gracePeriod
        self.lifecycle = .draining(graceDeadline: grace, hardDeadline: grace + self.settings.stopOverrun)
        for partition in self.partitions.keys { self.dropUnstarted(of: partition, closingGaps: true) }
        for id in self.revocations.keys { self.revocations[id]!.drainDeadline = min(self.revocations[id]!.drainDeadline, grace) }
    }

    /// A fatal error: everything is cancelled at once, the finished positions are committed if the group
    /// still allows, and the worker closes.
    mutating func fail(_ message: String, now: ContinuousClock.Instant, into actions: inout [Action]) {
        guard self.failure == nil else { return }
        self.failure = message
        switch self.lifecycle {
        case .running, .draining:
            for partition in self.partitions.keys { self.dropUnstarted(of: partition) }
            let cancelled = self.cancelRunning { _ in true }
            if !cancelled.isEmpty { actions.append(.cancelJobs(cancelled, reason: .fatalError)) }
            let cancelEnd = now + self.settings.cancelWait
            self.lifecycle = .cancelling(until: cancelEnd, hardDeadline: cancelEnd + self.settings.stopOverrun)
        case .cancelling, .finalCommit, .closing, .closed:
            break
        }
    }

    /// The stop sequence: drain, cancel at the end of the grace period, commit, leave the group.
    mutating func progressStop(now: ContinuousClock.Instant, into actions: inout [Action]) {
        switch self.lifecycle {
        case .running, .closed:
            return
        case .closing(let until):
            if now >= until { self.closeEnded(into: &actions) }
            return
        case .draining(let grace, let hard):
            // Calls of lost partitions winding down are waited for too: their answers are worth publishing.
            if self.ownedJobsInFlight == 0 && self.windingDown.isEmpty {
                self.lifecycle = .finalCommit(hardDeadline: hard)
            } else if now >= grace {
                for partition in self.partitions.keys { self.dropUnstarted(of: partition) }
                let cancelled = self.cancelRunning { _ in true }
                if !cancelled.isEmpty { actions.append(.cancelJobs(cancelled, reason: .gracePeriodOver)) }
                self.lifecycle = .cancelling(until: now + self.settings.cancelWait, hardDeadline: hard)
                return
            } else {
                return
            }
        case .cancelling(let until, let hard):
            guard self.ownedJobsInFlight == 0 || now >= until else { return }
            self.lifecycle = .finalCommit(hardDeadline: hard)
        case .finalCommit:
            break
        }
        self.progressFinalCommit(now: now, into: &actions)
    }

    /// Commits what is finished (retrying a refused commit) until the time left is needed to close, then
    /// leaves the group.
    private mutating func progressFinalCommit(now: ContinuousClock.Instant, into actions: inout [Action]) {
        guard case .finalCommit(let hard) = self.lifecycle else { return }
        if now < hard - self.settings.closeReserve {
            if self.commitInFlight != nil || self.commitsAwaitRebalance(now: now) { return }
            let points = self.pointsToCommit()
            if !points.isEmpty {
                if let retryAt = self.commitRetryAt, now < retryAt { return }
                self.sendCommit(points, into: &actions)
                return
            }
        }
        let until = hard - self.settings.closeReserve / 2
        self.lifecycle = .closing(until: until)
        actions.append(.close(until: until))
    }

    /// The consumer closed, or did not within its time: the machine is done.
    mutating func closeEnded(into actions: inout [Action]) {
        guard case .closing = self.lifecycle else { return }
        self.lifecycle = .closed
        actions.append(.finish(failure: self.failure))
    }

    /// Jobs to wait for on partitions this member owns now (tickets of earlier epochs excluded).
    var ownedJobsInFlight: Int {
        self.partitions.keys.reduce(0) { $0 + self.outstandingJobs(of: $1) }
    }
}
