/// What is known finished in a partition outside its tracker: every offset below ``below`` (when known) and the
/// offsets ``listed`` at or above it. The one representation of "known finished" the ``WorkerCore`` keeps per
/// partition: from the committed position and its metadata, from what this member finished in an earlier
/// ownership (a commit refused during a rebalance leaves the group's position behind), and from jobs that ended
/// after their partition was lost.
struct FinishedOffsets: Sendable, Equatable {
    /// Every offset below this is finished; `nil` when no position is known.
    private(set) var below: Int64?
    /// Finished offsets at or above ``below``.
    private(set) var listed: Set<Int64> = []

    /// Nothing known.
    init() {}

    /// What a committed position says: finished below it, and the offsets its metadata lists.
    init(_ point: CommitPoint?) {
        guard let point else { return }
        self.below = point.offset
        self.listed = point.finished.filter { $0 >= point.offset }
    }

    /// Whether nothing is known.
    var isEmpty: Bool { self.below == nil && self.listed.isEmpty }

    /// Whether `offset` lies below the known position.
    func isBelow(_ offset: Int64) -> Bool { self.below.map { offset < $0 } ?? false }

    /// Adds one finished offset.
    mutating func insert(_ offset: Int64) {
        if !self.isBelow(offset) { self.listed.insert(offset) }
    }

    /// Takes a listed offset out (its record is being tracked now).
    /// - Returns: Whether it was listed.
    mutating func take(_ offset: Int64) -> Bool {
        self.listed.remove(offset) != nil
    }

    /// Adds what `other` knows.
    mutating func formUnion(_ other: FinishedOffsets) {
        self.below = [self.below, other.below].compactMap { $0 }.max()
        self.listed = self.listed.union(other.listed).filter { !self.isBelow($0) }
    }

    /// The listed offsets at or above `position`.
    func listed(from position: Int64) -> Set<Int64> {
        self.listed.filter { $0 >= position }
    }
}
