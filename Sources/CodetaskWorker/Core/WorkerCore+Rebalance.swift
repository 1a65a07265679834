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
    /// its metadata lists; the records that arrived meanwhile are taken now.
    mutating func committedRead(
        _ partition: TopicPartition, epoch: UInt64, point: CommitPoint?, now: ContinuousClock.Instant,
        into actions: inout [Action]
    ) {
        guard var state = self.partitions[partition], state.epoch == epoch, state.status == .loading else { return }
        state.committed = point
        let known = point.map { $0.merged(with: self.finishedEarlier[partition]) } ?? self.finishedEarlier[partition]
        // Records finished from the position on (the attempt journal shows what the commit did not cover) move
        // the finished prefix, so the next commit takes them without waiting for them to be polled.
        var below = known?.offset
        while let offset = below, known?.finished.contains(offset) == true { below = offset + 1 }
        state.finishedBelow = below
        state.carriedFinished.formUnion(known?.finished.filter { $0 >= below ?? Int64.min } ?? [])
        let finishedUnowned = self.finishedUnowned.removeValue(forKey: partition) ?? []
        state.carriedFinished.formUnion(finishedUnowned.filter { $0 >= known?.offset ?? Int64.min })
        state.status = .active
        let buffered = state.buffered
        state.buffered = []
        self.partitions[partition] = state
        self.pendingTotal -= buffered.count
        for record in buffered { self.accept(record, now: now, into: &actions) }
    }

    /// Partitions being revoked: nothing new of them starts, queued work is dropped (never started), running
    /// jobs get the drain budget; ``progressRevocations(now:into:)`` completes the revocation.
    mutating func revoke(_ revoked: [TopicPartition], id: RevocationID, now: ContinuousClock.Instant, into actions: inout [Action]) {
        for partition in revoked where self.partitions[partition] != nil {
            self.partitions[partition]!.status = .revoking
            self.dropUnstarted(of: partition, closingGaps: true)
        }
        var deadline = now + self.settings.drainTimeout
        if let grace = self.lifecycle.graceDeadline { deadline = min(deadline, grace) }
        self.revocations[id] = Revocation(partitions: revoked, drainDeadline: deadline)
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
        var deadline = now + self.settings.drainTimeout
        if let grace = self.lifecycle.graceDeadline { deadline = min(deadline, grace) }
        for id in windingDown { self.windingDown[id] = deadline }
        actions.append(.windDownJobs(windingDown.sorted()))
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
                if let state = self.partitions[partition], state.hasNewCommitPoint { points[partition] = state.commitPoint }
                self.release(partition)
            }
            self.revocations[id] = nil
            var until = now + self.settings.revocationCommitBudget
            if let hard = self.lifecycle.hardDeadline { until = min(until, hard - self.settings.closeReserve) }
            if case .closing(let closeUntil) = self.lifecycle { until = min(until, closeUntil) }
            actions.append(.completeRevocation(id, commit: points, until: until))
        }
    }

    /// Drops the queued (never started) work and the loading buffer of a partition; with `closingGaps` and a
    /// broker that drops commit metadata, the queued work below the partition's frontier is kept.
    mutating func dropUnstarted(of partition: TopicPartition, closingGaps: Bool = false) {
        guard var state = self.partitions[partition] else { return }
        self.pendingTotal -= state.buffered.count
        self.counts.notBegun += state.buffered.count
        state.buffered = []
        self.partitions[partition] = state
        let frontier = closingGaps && !self.commitMetadataKept ? state.highestStarted ?? Int64.min : Int64.min
        let queued = self.tickets.values.filter {
            $0.phase == .queued && $0.source.topicPartition == partition && $0.epoch == state.epoch
                && $0.source.offset >= frontier
        }
        for ticket in queued { self.tickets[ticket.id] = nil }
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
        if let point = state.commitPoint { self.finishedEarlier[partition] = point.merged(with: self.finishedEarlier[partition]) }
        self.pendingTotal -= state.progress.unfinishedCount + state.buffered.count
        self.paused.remove(partition)
    }

    /// Jobs of a partition's current epoch still to wait for: running ones, and queued ones kept to close gaps.
    func outstandingJobs(of partition: TopicPartition) -> Int {
        guard let state = self.partitions[partition] else { return 0 }
        guard !self.commitMetadataKept else { return state.runningJobs }
        return state.runningJobs + self.tickets.values.count {
            $0.phase == .queued && $0.source.topicPartition == partition && $0.epoch == state.epoch
        }
    }
}
