import Kafka

extension WorkerCore {
    /// Every commit interval (and as soon as the group allows after a refusal), commits the partitions whose
    /// finished position moved. Positions are derived from the state, so a refused commit loses nothing.
    mutating func commitPeriodically(now: ContinuousClock.Instant, into actions: inout [Action]) {
        switch self.lifecycle {
        case .running, .draining, .cancelling: break
        case .finalCommit, .closing, .closed: return
        }
        guard self.commitInFlight == nil, !self.commitsAwaitRebalance(now: now) else { return }
        if let retryAt = self.commitRetryAt {
            guard now >= retryAt else { return }
        } else if let next = self.nextCommitAt, now < next {
            return
        }
        self.nextCommitAt = now + self.settings.commitInterval
        let points = self.pointsToCommit()
        guard !points.isEmpty else {
            // Nothing left to commit (the refused positions went with their partitions): nothing to hold for.
            self.commitRetryAt = nil
            return
        }
        self.sendCommit(points, into: &actions)
    }

    /// The commit points of active partitions that moved past what the group has (revoking partitions
    /// commit when their revocation completes).
    func pointsToCommit() -> [TopicPartition: CommitPoint] {
        var points: [TopicPartition: CommitPoint] = [:]
        for (partition, state) in self.partitions where state.status.isActive && state.hasNewCommitPoint {
            points[partition] = state.commitPoint
        }
        return points
    }

    /// Asks the shell to commit `points`; one commit is in flight at a time.
    mutating func sendCommit(_ points: [TopicPartition: CommitPoint], into actions: inout [Action]) {
        let id = self.nextRequestID
        self.nextRequestID += 1
        self.commitInFlight = CommitInFlight(id: id, points: points, sentAfterCallbacks: self.rebalanceCallbacks)
        actions.append(.commit(id, points, journalStarts: self.journalStarts(points)))
    }

    /// With the attempt journal, where the next owner of each partition must start reading it when `points` are
    /// committed (see ``JournalLedger/readStart(committed:running:)``); empty without the journal.
    func journalStarts(_ points: [TopicPartition: CommitPoint]) -> [TopicPartition: Int64] {
        guard self.settings.journal else { return [:] }
        var starts: [TopicPartition: Int64] = [:]
        for (partition, point) in points {
            guard let state = self.partitions[partition] else { continue }
            // Every running job of the partition (of any epoch) at or above the position: its attempt may be
            // written (or acknowledged) after this commit.
            let running = self.tickets.values.filter {
                $0.phase != .queued && $0.source.topicPartition == partition && $0.source.offset >= point.offset
            }.map(\.journalFloor)
            starts[partition] = state.journal.readStart(committed: point.offset, running: running)
        }
        return starts
    }

    /// A commit was answered: on success the group's positions are known; on refusal the same (or newer)
    /// positions are sent again after ``Settings/commitRetryDelay``.
    mutating func commitEnded(
        _ id: CommitID, _ result: CommitResult, now: ContinuousClock.Instant, into actions: inout [Action]
    ) {
        guard let commit = self.commitInFlight, commit.id == id else { return }
        self.commitInFlight = nil
        guard result == .succeeded else {
            self.counts.commitFailures += 1
            self.commitRetryAt = now + self.settings.commitRetryDelay
            // A refusal answered after a rebalance callback came has nothing left to wait for.
            if result == .refusedByGroup && commit.sentAfterCallbacks == self.rebalanceCallbacks {
                self.commitsAwaitRebalanceUntil = now + self.settings.rebalanceCommitPause
            }
            return
        }
        self.counts.commits += 1
        self.commitRetryAt = nil
        for (partition, point) in commit.points where self.partitions[partition] != nil {
            self.partitions[partition]!.committed = point
            // What the group now holds is finished: below the position and the offsets its metadata lists (a
            // commit answered after its partition was assigned again carries them into the new epoch).
            self.partitions[partition]!.known.formUnion(FinishedOffsets(point))
            self.partitions[partition]!.journal.committed(point.offset)
        }
        self.learnFromCommit(commit.points, into: &actions)
    }

    /// After a commit went through: the first that carried metadata is read back (does the broker keep it?),
    /// and while the broker is not known to keep it, the journal's checkpoints follow each commit.
    private mutating func learnFromCommit(_ points: [TopicPartition: CommitPoint], into actions: inout [Action]) {
        if self.metadataReadBack == .notYet,
            let (partition, point) = points.sorted(by: { $0.key < $1.key }).first(where: {
                self.settings.journal || CommitMetadata.encode($0.value) != nil
            })
        {
            self.metadataReadBack = .reading
            actions.append(.readBackCommit(partition, point))
        }
        guard self.settings.journal && !self.commitMetadataKept else { return }
        let starts = self.journalStarts(points)
        var checkpoints: [TopicPartition: JournalLedger.Checkpoint] = [:]
        for (partition, point) in points where self.partitions[partition] != nil {
            checkpoints[partition] = self.partitions[partition]!.journal.checkpoint(committed: point.offset, start: starts[partition])
        }
        if !checkpoints.isEmpty { actions.append(.writeCheckpoints(checkpoints)) }
    }

    /// Whether commits (and new starts) wait for this member's rebalance callback.
    func commitsAwaitRebalance(now: ContinuousClock.Instant) -> Bool {
        self.commitsAwaitRebalanceUntil.map { now < $0 } ?? false
    }
}
