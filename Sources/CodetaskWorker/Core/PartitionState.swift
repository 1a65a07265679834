import Kafka

/// One owned partition, as the ``WorkerCore`` tracks it under one ownership epoch.
struct PartitionState<Payload: Sendable>: Sendable {
    enum Status: Sendable, Equatable {
        /// Assigned; its committed position and metadata are being read, so none of its records start yet.
        case loading
        /// Records flow.
        case active
        /// Being revoked: nothing new starts; running jobs drain, then the finished position is committed.
        case revoking
    }

    /// Distinguishes this assignment from an earlier one of the same partition.
    let epoch: UInt64
    var status = Status.loading
    /// Tracked offsets and the finished prefix.
    var progress = PartitionProgress()
    /// Offsets the committed metadata showed finished that were not polled yet in this epoch.
    var carriedFinished: Set<Int64> = []
    /// The position the group has committed (read at assignment, then each acknowledged commit).
    var committed: CommitPoint?
    /// Offsets below this are finished: the group's committed position, or further when this member finished
    /// more in an earlier epoch than the group took (a commit refused during a rebalance).
    var finishedBelow: Int64?
    /// Tickets of this epoch that are running or cancelling.
    var runningJobs = 0
    /// The highest offset whose job began in this epoch: the frontier below which gaps are closed when the
    /// broker drops commit metadata.
    var highestStarted: Int64?
    /// Records that arrived while loading, handled once the committed position is known.
    var buffered: [IncomingRecord<Payload>] = []

    init(epoch: UInt64) {
        self.epoch = epoch
    }

    /// The position to commit now: the lowest unfinished offset (or one past the highest finished), with the
    /// offsets finished above it; `nil` when nothing is known to commit.
    var commitPoint: CommitPoint? {
        guard let position = self.progress.committable ?? self.finishedBelow else { return nil }
        let above = self.progress.finishedAbove(position).union(self.carriedFinished.filter { $0 >= position })
        return CommitPoint(offset: position, finished: above)
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
        guard let other else { return self }
        let offset = max(self.offset, other.offset)
        return CommitPoint(offset: offset, finished: self.finished.union(other.finished).filter { $0 >= offset })
    }
}
