import Kafka

@testable import CodetaskWorker

extension CoreWorld {
    /// Holds one action to the reference rules and applies it to the model.
    mutating func check(_ action: Core.Action) throws {
        switch action {
        case .startJob(let id, let source, _, let context):
            let partition = source.topicPartition
            try self.require(self.owned[partition] != nil, "\(source) started on a partition not owned")
            if self.stopAt != nil || self.isRevoking(partition) {
                // Only to close a gap below the frontier, and only when the broker is not known to keep metadata
                // and there is no journal.
                let closesGaps = !self.metadataKnownKept && !self.driver.core.settings.journal
                let closesGap = closesGaps && source.offset < (self.frontier[partition] ?? -1)
                try self.require(closesGap, "\(source) started after the stop or revocation began")
            }
            try self.require(!self.jobs.values.contains { $0.source == source }, "\(source) started while running")
            try self.require(!self.startedThisEpoch.contains(source), "\(source) started twice in one epoch")
            try self.require(!self.reportedFinished.contains(source), "\(source) started after it was known finished")
            self.startedThisEpoch.insert(source)
            self.highestStarted[partition] = max(self.highestStarted[partition] ?? source.offset, source.offset)
            self.jobs[id] = (source, false)
            try self.checkInherited(context.earlier, job: id, source: source)
        case .cancelJobs(let ids, _):
            for id in ids where self.jobs[id] != nil { self.jobs[id]!.cancelled = true }
        case .windDownJobs(let ids):
            for id in ids {
                try self.require(self.jobs[id] != nil, "wound down job \(id), which is not running")
                try self.require(!self.owned.keys.contains { $0 == self.jobs[id]?.source.topicPartition },
                                 "wound down job \(id) of a partition still owned")
            }
        case .readCommitted(let partitions, let epoch):
            for partition in partitions { self.loading[partition] = epoch }
        case .commit(let id, let points, let journalStarts):
            try self.checkCommittable(points)
            try self.checkJournalStarts(points, journalStarts)
            try self.require(self.outstandingCommit == nil, "two commits in flight")
            self.outstandingCommit = (id, points)
        case .completeRevocation(let id, let points, let journalStarts, _):
            try self.checkCommittable(points)
            try self.checkJournalStarts(points, journalStarts)
            if self.chance(80) { self.committed.merge(points) { _, new in new } }
            for partition in self.revoking.removeValue(forKey: id) ?? [] {
                self.owned[partition] = nil
                self.loading[partition] = nil
            }
        case .readBackCommit(let partition, let point):
            try self.require(!self.readBackAsked, "a second read-back while one is asked")
            try self.require(self.committed[partition] == point, "read back \(partition) at \(point), not what was committed")
            self.readBackAsked = true
        case .writeCheckpoints:
            try self.require(self.driver.core.settings.journal && !self.metadataKnownKept,
                             "checkpoints written without the journal or on a broker known to keep metadata")
        case .close:
            self.closing = true
        case .finish:
            self.finished = true
        case .pause, .resume:
            break
        }
    }

    /// Nothing below a committed position, and nothing its metadata names, may be without a durable outcome; and
    /// a commit never forgets what the group's committed position says is finished (the next owner would start
    /// those records again).
    func checkCommittable(_ points: [TopicPartition: CommitPoint]) throws {
        for (partition, point) in points {
            let floor = self.committed[partition]
            if let floor {
                let forgotten = (0..<floor.offset).filter { $0 >= point.offset && !point.finished.contains($0) }
                    + floor.finished.filter { $0 >= point.offset && !point.finished.contains($0) }.sorted()
                try self.require(forgotten.isEmpty, "commit \(point) of \(partition) forgets \(forgotten), finished per the group's \(floor)")
            }
            let named = CommitMetadata.decode(CommitMetadata.encode(point), offset: point.offset)
            try self.require(named == point.finished.filter { $0 > point.offset }, "metadata of \(point) loses offsets")
            // Below the floor's position everything is covered already: the check starts there.
            let from = min(floor?.offset ?? 0, point.offset)
            for offset in from..<min(point.offset, self.recordsPerPartition) where !self.isDurable(offset, partition, floor) {
                try self.require(false, "commit \(point) passes \(partition)@\(offset)")
            }
            for offset in point.finished where !self.isDurable(offset, partition, floor) {
                try self.require(false, "metadata names unfinished \(partition)@\(offset)")
            }
        }
    }

    private func isDurable(_ offset: Int64, _ partition: TopicPartition, _ floor: CommitPoint?) -> Bool {
        let source = RecordSource(topic: partition.topic, partition: partition.partition, offset: offset)
        let coveredBefore = floor.map { offset < $0.offset || $0.finished.contains(offset) } ?? false
        return self.durable.contains(source) || coveredBefore
    }

    /// The machine's own counts agree with its state, and nothing grows past its bound.
    func checkState() throws {
        let core = self.driver.core
        // One pass over the tickets: running keyed ones, running ones per partition of the current epoch, and
        // queued keyed ones.
        var keyed = 0
        var keyedQueued = 0
        var running: [TopicPartition: Int] = [:]
        for ticket in core.tickets.values {
            if ticket.phase == .queued {
                try self.require(!ticket.holdsCallSlot, "queued ticket \(ticket.id) holds a call slot")
                if ticket.key != nil { keyedQueued += 1 }
                continue
            }
            try self.require(!ticket.holdsCallSlot || ticket.key != nil, "a dead letter \(ticket.id) holds a call slot")
            if ticket.holdsCallSlot { keyed += 1 }
            if core.partitions[ticket.source.topicPartition]?.epoch == ticket.epoch {
                running[ticket.source.topicPartition, default: 0] += 1
            }
        }
        try self.require(core.runningKeyed == keyed, "running count drifted")
        try self.require(core.runningKeyed <= core.settings.maxInFlight + self.jobs.count, "running past the limit")
        try self.require(core.tickets.count <= core.settings.maxPending + 40 + self.jobs.count,
                         "tickets grew to \(core.tickets.count)")
        try self.require(core.schedule.heapCount <= 4 * (core.tickets.count + 8),
                         "schedule heap grew to \(core.schedule.heapCount)")
        for (partition, state) in core.partitions {
            try self.require(state.runningJobs == running[partition] ?? 0, "running jobs of \(partition) drifted")
        }
        // Every queued keyed ticket stands in its key's queue, and every queued id is a queued ticket.
        var queued = 0
        for key in core.schedule.keysWithQueuedWork {
            for id in core.schedule.queue(of: key) {
                queued += 1
                try self.require(core.tickets[id]?.phase == .queued && core.tickets[id]?.key == key,
                                 "queue of \(key) holds \(id), which is not a queued ticket of it")
            }
        }
        try self.require(queued == core.schedule.queuedCount, "queued count drifted")
        try self.require(queued == keyedQueued, "\(keyedQueued - queued) queued tickets stand in no key's queue")
    }

    /// After every step: while the machine may start work (running, breaker admitting, commits not held, a slot
    /// free), every key with queued work has a job running. A key that is neither is forgotten: it would never
    /// start again.
    func checkLiveness() throws {
        let core = self.driver.core
        let now = self.driver.now
        for key in core.schedule.keysWithQueuedWork where !core.schedule.isBusy(key) {
            try self.require(core.schedule.isArmed(key), "key \(key) has queued work and is neither armed nor busy")
        }
        guard core.lifecycle.isRunning, core.breakerAdmits(now: now), !core.commitsAwaitRebalance(now: now), !core.startsHeld(now: now),
            core.runningKeyed < core.settings.maxInFlight
        else { return }
        for key in core.schedule.keysWithQueuedWork {
            let head = core.schedule.queue(of: key).first.flatMap { core.tickets[$0] }
            let startable = head.map { core.partitions[$0.source.topicPartition]?.status.isActive == true } ?? false
            try self.require(!startable || core.schedule.isBusy(key), "key \(key) could start and did not")
        }
    }
}
