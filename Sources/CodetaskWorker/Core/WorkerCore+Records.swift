import Kafka

extension WorkerCore {
    /// Takes a polled record: tracks it and queues its work behind its key (or starts a dead letter at once).
    mutating func accept(_ record: IncomingRecord<Payload>, now: ContinuousClock.Instant, into actions: inout [Action]) {
        let partition = record.source.topicPartition
        guard self.lifecycle.isRunning, var state = self.partitions[partition], state.status != .revoking else {
            return
        }
        if state.status == .loading {
            state.buffered.append(record)
            self.partitions[partition] = state
            self.pendingTotal += 1
            return
        }
        let offset = record.source.offset
        if let below = state.finishedBelow, offset < below {
            self.counts.alreadyFinished += 1
            return
        }
        guard state.progress.track(offset) else { return }
        self.counts.received += 1
        if state.carriedFinished.remove(offset) != nil {
            state.progress.finish(offset)
            self.partitions[partition] = state
            self.counts.alreadyFinished += 1
            return
        }
        self.pendingTotal += 1
        self.partitions[partition] = state
        let id = self.nextJobID
        self.nextJobID += 1
        let ticket = Ticket(
            id: id, source: record.source, epoch: state.epoch, key: record.orderingKey, payload: record.payload,
            arrivedAt: now, phase: .queued)
        guard let key = record.orderingKey else {
            // Work that calls no one starts at once (only the pending limit bounds it), unless a ticket of an
            // earlier epoch still runs for the same record.
            self.tickets[id] = ticket
            if self.runningSources.contains(record.source) {
                self.waitingOnEarlierEpoch[record.source] = id
            } else {
                self.begin(id, into: &actions)
            }
            return
        }
        self.tickets[id] = ticket
        let wasIdle = self.keyQueues[key]?.isEmpty ?? true
        self.keyQueues[key, default: []].append(id)
        if wasIdle && !self.busyKeys.contains(key) { self.ready.insert(ReadyKey(id: id, key: key)) }
    }

    /// Starts the oldest startable queued tickets while slots are free and the breaker admits calls.
    mutating func startReadyJobs(now: ContinuousClock.Instant, into actions: inout [Action]) {
        guard self.lifecycle.isRunning || self.lifecycle.graceDeadline != nil else { return }
        while self.runningKeyed < self.settings.maxInFlight, self.breakerAdmits(now: now), let next = self.ready.popMin() {
            guard !self.busyKeys.contains(next.key), var queue = self.keyQueues[next.key] else { continue }
            // Tickets dropped by a revocation are skipped here.
            while let head = queue.first, self.tickets[head]?.phase != .queued { queue.removeFirst() }
            guard let head = queue.first else {
                self.keyQueues[next.key] = nil
                continue
            }
            switch self.admission(of: self.tickets[head]!, now: now) {
            case .now:
                break
            case .later:
                self.ready.insert(next)
                return
            case .never:
                // Stopping or revoking: it waits to be dropped with its partition.
                self.keyQueues[next.key] = queue
                continue
            }
            let id = queue.removeFirst()
            self.keyQueues[next.key] = queue.isEmpty ? nil : queue
            let ticket = self.tickets[id]!
            guard self.partitions[ticket.source.topicPartition]?.epoch == ticket.epoch else {
                // Its partition went away (the drop missed it): never start it.
                self.tickets[id] = nil
                self.ready.insert(next)
                continue
            }
            // A ticket of an earlier epoch for the same record holds the same key (keys are part of the
            // record), so the key rule alone keeps the two from running at once.
            self.busyKeys.insert(next.key)
            self.runningKeyed += 1
            self.begin(id, into: &actions)
        }
    }

    private enum Admission { case now, later, never }

    /// Whether a queued keyed ticket may begin: while running and the group takes commits; when stopping or
    /// revoking, only to close a gap below the partition's frontier, and only if the broker drops commit
    /// metadata (otherwise the finished offsets above the gap travel in the metadata).
    private func admission(of ticket: Ticket, now: ContinuousClock.Instant) -> Admission {
        guard let state = self.partitions[ticket.source.topicPartition], state.epoch == ticket.epoch else { return .now }
        if self.lifecycle.isRunning && state.status == .active {
            return self.commitsAwaitRebalance(now: now) ? .later : .now
        }
        let closesGap = !self.commitMetadataKept && ticket.source.offset < (state.highestStarted ?? Int64.min)
        return closesGap ? .now : .never
    }

    /// Moves a queued ticket to running and asks the shell to start its job.
    private mutating func begin(_ id: JobID, into actions: inout [Action]) {
        self.tickets[id]!.phase = .running
        let ticket = self.tickets[id]!
        self.runningSources.insert(ticket.source)
        self.partitions[ticket.source.topicPartition]!.runningJobs += 1
        let offset = ticket.source.offset
        self.partitions[ticket.source.topicPartition]!.highestStarted = max(
            self.partitions[ticket.source.topicPartition]!.highestStarted ?? offset, offset)
        actions.append(.startJob(id, ticket.source, ticket.payload))
    }

    /// Whether a new Start may begin: always while the breaker is closed; one probe at a time once it lets
    /// probes through.
    func breakerAdmits(now: ContinuousClock.Instant) -> Bool {
        switch self.breaker {
        case .closed: return true
        case .open(let until): return now >= until && self.runningKeyed == 0
        case .halfOpen: return self.runningKeyed == 0
        }
    }

    /// A job ended. Its record is finished when its outcome is durable; a ticket of an earlier epoch (its
    /// partition was revoked or lost meanwhile) that finished marks the same offset finished in the current one.
    mutating func jobEnded(_ id: JobID, finished: Bool, now: ContinuousClock.Instant, into actions: inout [Action]) {
        guard let ticket = self.tickets[id], ticket.phase != .queued else { return }
        self.tickets[id] = nil
        self.windingDown[id] = nil
        self.runningSources.remove(ticket.source)
        if let key = ticket.key {
            self.busyKeys.remove(key)
            self.runningKeyed -= 1
            if let head = self.keyQueues[key]?.first { self.ready.insert(ReadyKey(id: head, key: key)) }
        }
        let partition = ticket.source.topicPartition
        let offset = ticket.source.offset
        if let waiting = self.waitingOnEarlierEpoch.removeValue(forKey: ticket.source) {
            if finished { self.finishLate(offset, in: partition) }
            // Unless that finished it, the waiting ticket of the current epoch runs now.
            if self.tickets[waiting] != nil { self.begin(waiting, into: &actions) }
        } else if finished && self.partitions[partition]?.epoch != ticket.epoch {
            self.finishLate(offset, in: partition)
        }
        guard var state = self.partitions[partition], state.epoch == ticket.epoch else { return }
        state.runningJobs -= 1
        if finished && state.progress.isUnfinished(offset) {
            state.progress.finish(offset)
            self.pendingTotal -= 1
            self.partitions[partition] = state
        } else if state.status == .active && self.lifecycle.isRunning {
            // Ended without an outcome while nothing asked it to stop: run the record again rather than stall
            // the partition (the shell only abandons work it was told to cancel, so this is a safety net).
            self.partitions[partition] = state
            self.requeue(ticket, into: &actions)
        } else {
            self.partitions[partition] = state
        }
    }

    /// A ticket of an earlier epoch finished: the current epoch (or the next, when the partition is not owned
    /// now) must not start that offset again.
    private mutating func finishLate(_ offset: Int64, in partition: TopicPartition) {
        guard var state = self.partitions[partition] else {
            self.finishedUnowned[partition, default: []].insert(offset)
            return
        }
        if state.progress.isUnfinished(offset) {
            let queued = self.tickets.values.first {
                $0.source.topicPartition == partition && $0.source.offset == offset && $0.epoch == state.epoch
                    && $0.phase == .queued
            }
            if let queued { self.tickets[queued.id] = nil }
            state.progress.finish(offset)
            self.pendingTotal -= 1
        } else if state.status == .loading || (state.progress.highestTracked ?? Int64.min) < offset {
            state.carriedFinished.insert(offset)
        }
        self.partitions[partition] = state
    }

    private mutating func requeue(_ ticket: Ticket, into actions: inout [Action]) {
        guard let key = ticket.key else {
            var queued = ticket
            queued.phase = .queued
            self.tickets[ticket.id] = queued
            self.begin(ticket.id, into: &actions)
            return
        }
        var queued = ticket
        queued.phase = .queued
        self.tickets[ticket.id] = queued
        self.keyQueues[key, default: []].prepend(ticket.id)
        self.ready.insert(ReadyKey(id: ticket.id, key: key))
    }
}
