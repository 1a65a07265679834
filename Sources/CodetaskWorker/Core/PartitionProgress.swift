import DequeModule

/// The offsets of one owned partition that were handed to the worker and are not yet finished.
///
/// Records finish out of order (different keys run concurrently); the partition's committable position is
/// the lowest unfinished offset, or one past the highest finished one when nothing is pending. Offsets that
/// finished above the lowest unfinished one are kept, so a commit can carry them.
struct PartitionProgress: Sendable {
    /// Tracked offsets in arrival (= offset) order.
    private var pending: Deque<Int64> = []
    /// Tracked offsets that finished but are not yet at the front of `pending`.
    private var finishedOutOfOrder: Set<Int64> = []
    /// The next offset to commit, once any record finished.
    private(set) var committable: Int64?
    /// The highest offset tracked so far.
    private(set) var highestTracked: Int64?

    /// Records tracked: the unfinished ones and those finished above the lowest unfinished one.
    var trackedCount: Int { self.pending.count }

    /// Starts tracking an offset; offsets arrive in increasing order per partition.
    /// - Returns: `false` for an offset at or below one already tracked (a repeated delivery): ignore it.
    mutating func track(_ offset: Int64) -> Bool {
        if let highest = self.highestTracked, offset <= highest { return false }
        self.highestTracked = offset
        self.pending.append(offset)
        return true
    }

    /// Whether an offset is tracked and not finished.
    func isUnfinished(_ offset: Int64) -> Bool {
        guard let first = self.pending.first, let last = self.pending.last, first <= offset, offset <= last,
            !self.finishedOutOfOrder.contains(offset)
        else { return false }
        // `pending` is sorted: binary search.
        var low = 0
        var high = self.pending.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let value = self.pending[middle]
            if value == offset { return true }
            if value < offset { low = middle + 1 } else { high = middle - 1 }
        }
        return false
    }

    /// The lowest tracked offset not finished.
    var lowestUnfinished: Int64? { self.pending.first }

    /// Marks an offset finished and moves the committable position past every finished prefix.
    mutating func finish(_ offset: Int64) {
        guard let first = self.pending.first else { return }
        guard offset == first else {
            self.finishedOutOfOrder.insert(offset)
            self.committable = first
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
    }

    /// Offsets finished above `position` (carried in the commit's metadata).
    func finishedAbove(_ position: Int64) -> Set<Int64> {
        self.finishedOutOfOrder.filter { $0 >= position }
    }
}
