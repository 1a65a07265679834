import Kafka

/// One owned partition, as the ``WorkerCore`` tracks it under one ownership epoch.
struct PartitionState<Payload: Sendable>: Sendable {
    /// Where the partition is in its ownership; each case carries what only it has.
    enum Status: Sendable {
        /// Assigned; its committed position and metadata are being read, so none of its records start yet: the
        /// records that arrive meanwhile wait here, handled once the committed position is known.
        case loading(buffered: [IncomingRecord<Payload>])
        /// Records flow.
        case active
        /// Being revoked: nothing new starts; running jobs drain, then the finished position is committed, when
        /// its committed position had been read (`loaded`): one revoked while still loading knows neither the group's
        /// position nor its journal, and a commit from it could move the position back or drop what the committed
        /// metadata said (what earlier epochs' jobs finished is in the journal, and kept by this member).
        case revoking(loaded: Bool)

        var isLoading: Bool { if case .loading = self { true } else { false } }
        var isActive: Bool { if case .active = self { true } else { false } }
        var isRevoking: Bool { if case .revoking = self { true } else { false } }
        /// Whether a revocation ends with a commit of the partition's position (see ``revoking(loaded:)``).
        var commitsOnRevocation: Bool { if case .revoking(let loaded) = self { loaded } else { false } }

        /// Records waiting for the committed position (none once it is known).
        var buffered: [IncomingRecord<Payload>] {
            if case .loading(let buffered) = self { buffered } else { [] }
        }
    }

    /// Distinguishes this assignment from an earlier one of the same partition.
    let epoch: UInt64
    var status = Status.loading(buffered: [])
    /// Tracked offsets and the finished prefix.
    var progress = PartitionProgress()
    /// What is known finished outside the tracker: below the group's committed position (or further, when this
    /// member finished more in an earlier epoch than the group took), and offsets not polled yet in this epoch
    /// that the committed metadata, the journal or an earlier epoch's job showed finished.
    var known = FinishedOffsets()
    /// The position the group has committed (read at assignment, then each acknowledged commit).
    var committed: CommitPoint?
    /// Tickets of this epoch that are running or cancelling.
    var runningJobs = 0
    /// The highest offset whose job began in this epoch: the frontier below which gaps are closed when the
    /// broker drops commit metadata.
    var highestStarted: Int64?
    /// The partition's side of the attempt journal (used when the journal is on).
    var journal = JournalLedger()

    init(epoch: UInt64) {
        self.epoch = epoch
    }

    /// The position to commit now: the lowest unfinished offset (or one past the highest finished), with the
    /// offsets finished above it; `nil` when nothing is known to commit.
    var commitPoint: CommitPoint? {
        // Both bound what is finished; the tracker's may lag behind a commit that took carried offsets.
        guard let position = [self.progress.committable, self.known.below].compactMap({ $0 }).max() else { return nil }
        let above = self.progress.finishedAbove(position).union(self.known.listed(from: position))
        return CommitPoint(offset: position, finished: above).normalized
    }

    /// Whether the commit point moved past what the group has.
    var hasNewCommitPoint: Bool {
        guard let point = self.commitPoint else { return false }
        return point != self.committed
    }
}

/// A committed position: the next offset to read, and offsets above it that are already finished.
struct CommitPoint: Sendable, Hashable {
    var offset: Int64
    var finished: Set<Int64>

    /// What both points know: every offset below either position, or listed by either, is finished.
    func merged(with other: CommitPoint?) -> CommitPoint {
        guard let other else { return self.normalized }
        let offset = max(self.offset, other.offset)
        return CommitPoint(offset: offset, finished: self.finished.union(other.finished)).normalized
    }

    /// The same knowledge with the position moved past the finished offsets that follow it without a gap and
    /// only the offsets above it listed, so what a commit says cannot depend on how it was assembled (metadata
    /// carries distances above the position: an offset listed at the position itself would be lost).
    var normalized: CommitPoint {
        var offset = self.offset
        while offset < Int64.max, self.finished.contains(offset) { offset += 1 }
        return CommitPoint(offset: offset, finished: self.finished.filter { $0 > offset })
    }
}
