import Kafka

extension WorkerCore {
    /// Takes a polled record: tracks it and queues its work behind its key (or starts a dead letter at once).
    mutating func accept(_ record: IncomingRecord<Payload>, now: ContinuousClock.Instant, into actions: inout [Action]) {
        let partition = record.source.topicPartition
        guard self.lifecycle.isRunning, var state = self.partitions[partition], !state.status.isRevoking else {
            return
        }
        if case .loading(var buffered) = state.status {
            buffered.append(record)
            state.status = .loading(buffered: buffered)
            self.partitions[partition] = state
            return
        }
        let offset = record.source.offset
        if state.known.isBelow(offset) {
            self.counts.alreadyFinished += 1
            return
        }
        guard state.progress.track(offset) else { return }
        self.counts.received += 1
        if state.known.take(offset) {
            state.progress.finish(offset)
            self.partitions[partition] = state
            self.counts.alreadyFinished += 1
            return
        }
        self.partitions[partition] = state
        let ticket = Ticket(
            id: self.takeJobID(), source: record.source, epoch: state.epoch, key: record.orderingKey,
            payload: record.payload, arrivedAt: now, phase: .queued)
        self.queue(ticket, into: &actions)
    }

    /// A new ticket id (ids are never reused: a re-run of a record is a new job).
    mutating func takeJobID() -> JobID {
        defer { self.nextJobID += 1 }
        return self.nextJobID
    }

    /// Queues a ticket behind its key; work that calls no one starts at once (only the pending limit bounds
    /// it), unless a ticket of an earlier epoch still runs for the same record.
    private mutating func queue(_ ticket: Ticket, first: Bool = false, into actions: inout [Action]) {
        self.tickets[ticket.id] = ticket
        guard let key = ticket.key else {
            if self.runningSources.contains(ticket.source) {
                self.waitingOnEarlierEpoch[ticket.source] = ticket.id
            } else {
                self.begin(ticket.id, into: &actions)
            }
            return
        }
        if first { self.schedule.enqueueFirst(ticket.id, key: key) } else { self.schedule.enqueue(ticket.id, key: key) }
    }

    /// Forgets a queued (never started) ticket: it leaves its key's queue at once, so the key's next ticket is
    /// offered.
    mutating func discardQueued(_ id: JobID) {
        guard let ticket = self.tickets[id], ticket.phase == .queued else { return }
        self.tickets[id] = nil
        if let key = ticket.key { self.schedule.remove(id, key: key) }
        if self.waitingOnEarlierEpoch[ticket.source] == id { self.waitingOnEarlierEpoch[ticket.source] = nil }
    }

    /// Starts the oldest startable queued tickets while slots are free and the breaker admits calls.
    mutating func startReadyJobs(now: ContinuousClock.Instant, into actions: inout [Action]) {
        guard self.lifecycle.isRunning || self.lifecycle.graceDeadline != nil else { return }
        guard !self.startsHeld(now: now) else { return }
        self.startsHeldUntil = nil
        while self.runningKeyed < self.settings.maxInFlight, self.breakerAdmits(now: now),
            let next = self.schedule.nextArmed()
        {
            let ticket = self.tickets[next.id]!
            switch self.admission(of: ticket, now: now) {
            case .now:
                break
            case .later:
                self.schedule.rearm(next)
                return
            case .never:
                // Stopping or revoking, or its partition went away: it never starts under this epoch, and its
                // key's next ticket (perhaps of another partition) is offered at once.
                self.discardQueued(ticket.id)
                self.counts.notBegun += 1
                continue
            }
            // A ticket of an earlier epoch for the same record holds the same key (keys are part of the
            // record), so the key rule alone keeps the two from running at once.
            self.schedule.take(next)
            self.runningKeyed += 1
            self.tickets[ticket.id]!.holdsCallSlot = true
            self.begin(ticket.id, into: &actions)
        }
    }

    private enum Admission { case now, later, never }

    /// Whether a queued keyed ticket may begin: while running and the group takes commits; when stopping or
    /// revoking, only to close a gap below the partition's frontier (see ``WorkerCore/closesGaps``).
    private func admission(of ticket: Ticket, now: ContinuousClock.Instant) -> Admission {
        guard let state = self.partitions[ticket.source.topicPartition], state.epoch == ticket.epoch else { return .never }
        if self.lifecycle.isRunning && state.status.isActive {
            return self.commitsAwaitRebalance(now: now) ? .later : .now
        }
        let closesGap = self.closesGaps && ticket.source.offset < (state.highestStarted ?? Int64.min)
        return closesGap ? .now : .never
    }

    /// Moves a queued ticket to running and asks the shell to start its job.
    /// The job inherits what an earlier attempt at its record left (taken from the partition's journal ledger).
    private mutating func begin(_ id: JobID, into actions: inout [Action]) {
        let source = self.tickets[id]!.source
        let offset = source.offset
        var state = self.partitions[source.topicPartition]!
        state.runningJobs += 1
        state.highestStarted = max(state.highestStarted ?? offset, offset)
        let earlier = state.journal.takeEarlier(offset)
        self.partitions[source.topicPartition] = state
        self.tickets[id]!.phase = .running
        self.tickets[id]!.journalFloor = state.journal.next
        self.tickets[id]!.held = false
        self.runningSources.insert(source)
        let ticket = self.tickets[id]!
        let context = JobContext(earlier: earlier, outageRetriesLeft: max(0, self.settings.maxOutageRetries - ticket.outageRetries))
        actions.append(.startJob(id, source, ticket.payload, context))
    }

    /// Whether new Starts wait for the hold pause after a held job (see ``Settings/holdPause``).
    func startsHeld(now: ContinuousClock.Instant) -> Bool {
        self.startsHeldUntil.map { now < $0 } ?? false
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
    /// What it wrote to the attempt journal joins the partition's ledger (whichever epoch owns it now: a job that
    /// outlived its partition's revocation still tells the next assignment here where its attempt is, and what
    /// it left).
    /// A held job (see ``Held``) queues its record again at the head of its key while its partition is active and
    /// the worker runs; otherwise the record is left for the partition's next owner.
    mutating func jobEnded(
        _ id: JobID, finished: Bool, journal: JobJournalReport?, held: Held?, now: ContinuousClock.Instant,
        into actions: inout [Action]
    ) {
        guard let ticket = self.tickets[id], ticket.phase != .queued else { return }
        if let journal, self.partitions[ticket.source.topicPartition] != nil {
            self.partitions[ticket.source.topicPartition]!.journal.jobEnded(ticket.source.offset, journal)
        }
        self.tickets[id] = nil
        self.windingDown[id] = nil
        self.runningSources.remove(ticket.source)
        if let key = ticket.key { self.schedule.finished(key) }
        self.releaseCallSlot(of: ticket)
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
            self.partitions[partition] = state
        } else if state.status.isActive && self.lifecycle.isRunning {
            // Held: again once the breaker admits calls. Otherwise it ended without an outcome while nothing asked
            // it to stop: run the record again rather than stall the partition (the shell only abandons work it
            // was told to cancel, so this is a safety net).
            self.partitions[partition] = state
            var again = ticket
            if let held {
                again.payload = held.payload
                again.held = true
                if held.outageRetry { again.outageRetries += 1 }
                self.startsHeldUntil = now + self.settings.holdPause
            }
            self.requeue(again, into: &actions)
        } else {
            self.partitions[partition] = state
        }
    }

    /// A job's Start call is over: its slot goes to the next Start (the job itself runs on, holding its key).
    mutating func callEnded(_ id: JobID) {
        guard let ticket = self.tickets[id], ticket.phase != .queued else { return }
        self.releaseCallSlot(of: ticket)
        self.tickets[id]!.holdsCallSlot = false
    }

    /// Gives back the call slot `ticket` holds, if it holds one.
    private mutating func releaseCallSlot(of ticket: Ticket) {
        if ticket.holdsCallSlot { self.runningKeyed -= 1 }
    }

    /// A ticket of an earlier epoch finished: the current epoch (or the next, when the partition is not owned
    /// now) must not start that offset again.
    private mutating func finishLate(_ offset: Int64, in partition: TopicPartition) {
        guard var state = self.partitions[partition] else {
            self.finishedReleased[partition, default: FinishedOffsets()].insert(offset)
            return
        }
        if state.progress.isUnfinished(offset) {
            let queued = self.tickets.values.first {
                $0.source.topicPartition == partition && $0.source.offset == offset && $0.epoch == state.epoch
                    && $0.phase == .queued
            }
            if let queued { self.discardQueued(queued.id) }
            state.progress.finish(offset)
        } else if state.status.isLoading || (state.progress.highestTracked ?? Int64.min) < offset {
            state.known.insert(offset)
        }
        self.partitions[partition] = state
    }

    /// Runs a record again under a new ticket id (the shell's handle of the ended job must not be confused with
    /// the new one), ahead of its key's queued tickets.
    private mutating func requeue(_ ticket: Ticket, into actions: inout [Action]) {
        var again = ticket
        again.id = self.takeJobID()
        again.phase = .queued
        again.holdsCallSlot = false
        self.queue(again, first: true, into: &actions)
    }
}
