import Kafka

extension WorkerCore {
    /// Newly assigned partitions: tracked under a new epoch, loading until their committed position is read.
    mutating func assign(_ assigned: [TopicPartition], into actions: inout [Action]) {
        let epoch = self.nextEpoch
        self.nextEpoch += 1
        for partition in assigned {
            if self.partitions[partition] != nil { self.release(partition) }
            var state = PartitionState<Payload>(epoch: epoch)
            // A stopping worker takes no records: nothing to load.
            if !self.lifecycle.isRunning { state.status = .active }
            self.partitions[partition] = state
        }
        if self.lifecycle.isRunning && !assigned.isEmpty { actions.append(.readCommitted(assigned, epoch: epoch)) }
    }

    /// The committed position of a loading partition: records below it are finished, and so are the offsets
    /// its metadata lists; the records that arrived meanwhile are taken now. With the attempt journal, what it
    /// said from that position on joins the partition's ledger (see ``JournalLedger/recovered(_:running:)``). A
    /// read for an earlier assignment of the partition (revoked and assigned again while it ran) changes nothing.
    mutating func committedRead(
        _ partition: TopicPartition, epoch: UInt64, point: CommitPoint?, journal: JournalRecovery?,
        now: ContinuousClock.Instant, into actions: inout [Action]
    ) {
        guard var state = self.partitions[partition], state.epoch == epoch, case .loading(let buffered) = state.status
        else { return }
        state.committed = point
        if let journal {
            state.journal.recovered(journal) { offset in
                self.runningSources.contains(RecordSource(topic: partition.topic, partition: partition.partition, offset: offset))
            }
        }
        // Records finished from the position on (the attempt journal shows what the commit did not cover) move
        // the finished prefix, so the next commit takes them without waiting for them to be polled.
        // What the group committed joins what jobs of earlier epochs finished while it loaded and what this
        // member knew finished when it released the partition.
        state.known.formUnion(FinishedOffsets(point))
        state.known.formUnion(self.finishedReleased.removeValue(forKey: partition) ?? FinishedOffsets())
        state.status = .active
        self.partitions[partition] = state
        for record in buffered { self.accept(record, now: now, into: &actions) }
    }

    /// Partitions being revoked: nothing new of them starts, queued work is dropped (never started), running
    /// jobs get the drain budget; ``progressRevocations(now:into:)`` completes the revocation.
    mutating func revoke(_ revoked: [TopicPartition], id: RevocationID, now: ContinuousClock.Instant, into actions: inout [Action]) {
        for partition in revoked where self.partitions[partition] != nil {
            self.partitions[partition]!.status = .revoking(loaded: !self.partitions[partition]!.status.isLoading)
            self.dropUnstarted(of: partition, closingGaps: true)
        }
        self.revocations[id] = Revocation(partitions: revoked, drainDeadline: self.drainDeadline(now: now))
    }

    /// Partitions lost without a chance to commit: queued work is dropped and nothing is committed. Their
    /// running jobs wind down: a request already sent still gets its answer, which is published and
    /// remembered as finished (so this member does not start it again if the partition comes back), but no
    /// new request is sent; what has not ended after the drain budget is cancelled.
    mutating func lose(_ lost: [TopicPartition], now: ContinuousClock.Instant, into actions: inout [Action]) {
        var windingDown: [JobID] = []
        for partition in lost {
            guard let state = self.partitions[partition] else { continue }
            self.dropUnstarted(of: partition)
            windingDown += self.tickets.values.filter {
                $0.phase == .running && $0.source.topicPartition == partition && $0.epoch == state.epoch
            }.map(\.id)
            self.release(partition)
        }
        guard !windingDown.isEmpty else { return }
        let deadline = self.drainDeadline(now: now)
        for id in windingDown { self.windingDown[id] = deadline }
        actions.append(.windDownJobs(windingDown.sorted()))
    }

    /// When a drain (of a revocation or a loss) that begins now ends: after the drain budget, and never past the
    /// stop's grace period, nor, once past it, past the time kept for the final commit and the close.
    private func drainDeadline(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var deadline = now + self.settings.drainTimeout
        if let grace = self.lifecycle.graceDeadline { deadline = min(deadline, grace) }
        if let hard = self.lifecycle.hardDeadline { deadline = min(deadline, hard - self.settings.closeReserve) }
        if case .closing(let until) = self.lifecycle { deadline = min(deadline, until) }
        return max(now, deadline)
    }

    /// Cancels the lost partitions' jobs that did not wind down within the drain budget.
    mutating func progressWindDowns(now: ContinuousClock.Instant, into actions: inout [Action]) {
        let overdue = Set(self.windingDown.filter { now >= $0.value }.keys)
        guard !overdue.isEmpty else { return }
        for id in overdue { self.windingDown[id] = nil }
        let cancelled = self.cancelRunning { overdue.contains($0.id) }
        if !cancelled.isEmpty { actions.append(.cancelJobs(cancelled, reason: .partitionsLost)) }
    }

    /// Completes revocations whose jobs ended, cancels those whose drain budget is over, and goes on without
    /// cancelled jobs that did not end in time.
    mutating func progressRevocations(now: ContinuousClock.Instant, into actions: inout [Action]) {
        for (id, revocation) in self.revocations.sorted(by: { $0.key < $1.key }) {
            let running = revocation.partitions.reduce(0) { $0 + self.outstandingJobs(of: $1) }
            if running > 0, let cancelDeadline = revocation.cancelDeadline, now < cancelDeadline { continue }
            if running > 0 && revocation.cancelDeadline == nil {
                guard now >= revocation.drainDeadline else { continue }
                let owned = revocation.partitions.compactMap { partition in
                    self.partitions[partition].map { (partition, $0.epoch) }
                }
                for partition in revocation.partitions { self.dropUnstarted(of: partition) }
                let cancelled = self.cancelRunning { ticket in
                    owned.contains { $0.0 == ticket.source.topicPartition && $0.1 == ticket.epoch }
                }
                actions.append(.cancelJobs(cancelled, reason: .revocationDrainOver))
                self.revocations[id]!.cancelDeadline = now + self.settings.cancelWait
                continue
            }
            var points: [TopicPartition: CommitPoint] = [:]
            for partition in revocation.partitions {
                if let state = self.partitions[partition], state.status.commitsOnRevocation, state.hasNewCommitPoint {
                    points[partition] = state.commitPoint
                }
            }
            // Where the next owner reads the journal: known only while the partitions are still tracked.
            let journalStarts = self.journalStarts(points)
            for partition in revocation.partitions { self.release(partition) }
            self.revocations[id] = nil
            var until = now + self.settings.revocationCommitBudget
            if let hard = self.lifecycle.hardDeadline { until = min(until, hard - self.settings.closeReserve) }
            if case .closing(let closeUntil) = self.lifecycle { until = min(until, closeUntil) }
            actions.append(.completeRevocation(id, commit: points, journalStarts: journalStarts, until: until))
        }
    }

    /// Drops the queued (never started) work and the loading buffer of a partition; with `closingGaps` (when
    /// ``closesGaps``), the queued work below the partition's frontier is kept.
    mutating func dropUnstarted(of partition: TopicPartition, closingGaps: Bool = false) {
        guard var state = self.partitions[partition] else { return }
        if case .loading(let buffered) = state.status {
            self.counts.notBegun += buffered.count
            state.status = .loading(buffered: [])
            self.partitions[partition] = state
        }
        let frontier = closingGaps && self.closesGaps ? state.highestStarted ?? Int64.min : Int64.min
        let queued = self.tickets.values.filter {
            $0.phase == .queued && $0.source.topicPartition == partition && $0.epoch == state.epoch
                && $0.source.offset >= frontier
        }
        for ticket in queued { self.discardQueued(ticket.id) }
        self.counts.notBegun += queued.count
    }

    /// Marks running tickets that match as cancelling.
    /// - Returns: Their ids, for ``Action/cancelJobs(_:reason:)``.
    mutating func cancelRunning(where matches: (Ticket) -> Bool) -> [JobID] {
        let running = self.tickets.values.filter { $0.phase == .running && matches($0) }
        for ticket in running {
            self.tickets[ticket.id]!.phase = .cancelling
            self.windingDown[ticket.id] = nil
        }
        self.counts.cancelled += running.count
        return running.map(\.id).sorted()
    }

    /// Stops tracking a partition; its running tickets live on as tickets of an earlier epoch.
    mutating func release(_ partition: TopicPartition) {
        self.dropUnstarted(of: partition)
        guard let state = self.partitions.removeValue(forKey: partition) else { return }
        // A partition released while loading has no position yet: what was known stays as it was.
        let known = state.commitPoint.map(FinishedOffsets.init) ?? state.known
        if !known.isEmpty { self.finishedReleased[partition, default: FinishedOffsets()].formUnion(known) }
        self.paused.remove(partition)
    }

    /// Jobs of a partition's current epoch still to wait for: running ones, and queued ones kept to close gaps.
    func outstandingJobs(of partition: TopicPartition) -> Int {
        guard let state = self.partitions[partition] else { return 0 }
        guard self.closesGaps else { return state.runningJobs }
        return state.runningJobs + self.tickets.values.count {
            $0.phase == .queued && $0.source.topicPartition == partition && $0.epoch == state.epoch
        }
    }
}
