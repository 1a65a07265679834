import DequeModule

/// The offsets of one assigned partition that were handed to the worker and are not yet finished.
///
/// Records finish out of order (different keys run concurrently); the partition's committable position is
/// the lowest unfinished offset, or one past the highest finished one when nothing is pending.
struct PartitionProgress {
    /// Distinguishes this assignment from an earlier one of the same partition.
    let epoch: UInt64
    /// Tracked offsets in arrival (= offset) order.
    private var pending: Deque<Int64> = []
    /// Tracked offsets that finished but are not yet at the front of `pending`.
    private var finishedOutOfOrder: Set<Int64> = []
    /// The next offset to commit, once any record finished.
    private(set) var committable: Int64?
    /// Whether `committable` moved since it was last taken for a commit.
    private(set) var hasNewPosition = false
    /// Records of this partition whose work has begun and not ended.
    var active = 0
    /// The highest offset whose work has begun: the frontier. While stopping or revoking, unfinished records
    /// below it still run, so the commit position reaches it and no begun record is redone.
    private(set) var highestBegun: Int64?
    /// Set when the partition is being revoked: no new work of it begins.
    var isRevoking = false

    init(epoch: UInt64) {
        self.epoch = epoch
    }

    /// Records that finished nothing yet.
    var pendingCount: Int { self.pending.count }

    /// Records that work began on an offset.
    mutating func noteBegun(_ offset: Int64) {
        self.highestBegun = max(self.highestBegun ?? offset, offset)
    }

    /// Whether an offset lies below the frontier (its work must happen even while stopping).
    func isBelowFrontier(_ offset: Int64) -> Bool {
        self.highestBegun.map { offset < $0 } ?? false
    }

    /// Whether every record up to the frontier is finished: the commit position covers all begun work.
    var isQuiescent: Bool {
        guard let frontier = self.highestBegun, let lowestUnfinished = self.pending.first else { return true }
        return lowestUnfinished > frontier
    }

    /// Starts tracking an offset (offsets arrive in increasing order per partition).
    mutating func track(_ offset: Int64) {
        self.pending.append(offset)
    }

    /// Marks an offset finished and moves the committable position past every finished prefix.
    mutating func finish(_ offset: Int64) {
        guard let first = self.pending.first else { return }
        guard offset == first else {
            self.finishedOutOfOrder.insert(offset)
            return
        }
        self.pending.removeFirst()
        var next = offset + 1
        while let head = self.pending.first, self.finishedOutOfOrder.remove(head) != nil {
            self.pending.removeFirst()
            next = head + 1
        }
        // With records still pending, the next commit may only reach the first pending one.
        self.committable = self.pending.first ?? next
        self.hasNewPosition = true
    }

    /// Takes the position for a commit: `nil` when it did not move since the last take.
    mutating func takeNewPosition() -> Int64? {
        guard self.hasNewPosition else { return nil }
        self.hasNewPosition = false
        return self.committable
    }
}
