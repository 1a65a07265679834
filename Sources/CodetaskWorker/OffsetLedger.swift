import Kafka
import Synchronization

/// Tracks every record handed to the worker, per assigned partition, and turns finished records into
/// committable positions. A record counts as finished only once its outcome is durable (its event or
/// dead-letter copy acknowledged by the broker); an unfinished record holds its partition's commit position
/// back, so it is read again after a restart or rebalance.
///
/// Work on a record is bracketed by ``begin(_:)`` and ``finish(_:)`` (or ``abandon(_:)``), so revocation and
/// shutdown can wait for the work in progress and stop work that has not begun.
final class OffsetLedger: Sendable {
    /// Proof that a record is tracked under a particular assignment of its partition.
    struct Ticket: Sendable, Hashable {
        let source: RecordSource
        let epoch: UInt64
    }

    private struct State {
        var partitions: [TopicPartition: PartitionProgress] = [:]
        var nextEpoch: UInt64 = 1
        var pendingTotal = 0
        var activeTotal = 0
        var isStopping = false
        var idleWaiters: [IdleWaiter] = []
        var nextWaiterId = 0
    }

    /// Someone waiting until no work of `partitions` (every partition when `nil`) is active.
    private struct IdleWaiter {
        let id: Int
        let partitions: Set<TopicPartition>?
        let continuation: CheckedContinuation<Bool, Never>
    }

    private let state = Mutex(State())

    /// Starts tracking newly assigned partitions (a re-assignment starts afresh).
    func assign(_ partitions: [TopicPartition]) {
        self.state.withLock { state in
            for partition in partitions {
                state.pendingTotal -= state.partitions[partition]?.pendingCount ?? 0
                state.partitions[partition] = PartitionProgress(epoch: state.nextEpoch)
                state.nextEpoch += 1
            }
        }
    }

    /// Tracks a record of an assigned partition.
    /// - Returns: Its ticket, or `nil` when the partition is not assigned or no new work is being taken.
    func track(_ source: RecordSource) -> Ticket? {
        self.state.withLock { state in
            guard !state.isStopping, let progress = state.partitions[source.topicPartition], !progress.isRevoking else {
                return nil
            }
            state.partitions[source.topicPartition]!.track(source.offset)
            state.pendingTotal += 1
            return Ticket(source: source, epoch: progress.epoch)
        }
    }

    /// Begins the work on a tracked record.
    /// - Returns: `false` when the work must not happen: the partition was reassigned, or it is being revoked
    ///   or the worker is stopping and the record lies beyond the frontier (the highest begun offset). The
    ///   record then stays unfinished and is read again by the next owner, which never finds it begun.
    func begin(_ ticket: Ticket) -> Bool {
        self.state.withLock { state in
            let partition = ticket.source.topicPartition
            guard let progress = state.partitions[partition], progress.epoch == ticket.epoch else { return false }
            let winding = state.isStopping || progress.isRevoking
            guard !winding || progress.isBelowFrontier(ticket.source.offset) else { return false }
            state.partitions[partition]!.noteBegun(ticket.source.offset)
            state.partitions[partition]!.active += 1
            state.activeTotal += 1
            return true
        }
    }

    /// Ends begun work with a durable outcome: the record's offset may now be committed.
    func finish(_ ticket: Ticket) {
        self.end(ticket, finished: true)
    }

    /// Ends begun work without a durable outcome (the worker is stopping hard): the record stays unfinished.
    func abandon(_ ticket: Ticket) {
        self.end(ticket, finished: false)
    }

    private func end(_ ticket: Ticket, finished: Bool) {
        let resumed = self.state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.activeTotal -= 1
            let partition = ticket.source.topicPartition
            if state.partitions[partition]?.epoch == ticket.epoch {
                state.partitions[partition]!.active -= 1
                if finished {
                    state.partitions[partition]!.finish(ticket.source.offset)
                    state.pendingTotal -= 1
                }
            }
            return Self.takeSatisfiedWaiters(&state)
        }
        resumed.forEach { $0.resume(returning: true) }
    }

    /// Stops new work on these partitions ahead of their revocation.
    func beginRevocation(_ partitions: [TopicPartition]) {
        self.state.withLock { state in
            for partition in partitions where state.partitions[partition] != nil {
                state.partitions[partition]!.isRevoking = true
            }
        }
    }

    /// Stops new work on every partition (graceful shutdown).
    func stopTakingWork() {
        self.state.withLock { $0.isStopping = true }
    }

    /// Stops tracking partitions that were revoked or lost; tickets of theirs no longer count.
    /// - Returns: Their committable positions.
    @discardableResult
    func release(_ partitions: [TopicPartition]) -> [TopicPartitionOffset] {
        let (positions, resumed) = self.state.withLock { state in
            var positions: [TopicPartitionOffset] = []
            for partition in partitions {
                guard let progress = state.partitions.removeValue(forKey: partition) else { continue }
                state.pendingTotal -= progress.pendingCount
                if let offset = progress.committable { positions.append(TopicPartitionOffset(partition, offset: offset)) }
            }
            return (positions, Self.takeSatisfiedWaiters(&state))
        }
        resumed.forEach { $0.resume(returning: true) }
        return positions
    }

    /// Records tracked and not finished, over all partitions.
    var pendingCount: Int { self.state.withLock { $0.pendingTotal } }

    /// Records whose work has begun and not ended.
    var activeCount: Int { self.state.withLock { $0.activeTotal } }

    /// Whether no work is active and every partition's begun work is finished up to its frontier.
    var isQuiescent: Bool { self.state.withLock { Self.isIdle(nil, in: $0) } }

    /// Positions that moved since they were last taken.
    func takeCommittablePositions() -> [TopicPartitionOffset] {
        self.state.withLock { state in
            var positions: [TopicPartitionOffset] = []
            for key in state.partitions.keys {
                if let offset = state.partitions[key]!.takeNewPosition() {
                    positions.append(TopicPartitionOffset(key, offset: offset))
                }
            }
            return positions
        }
    }

    /// Every partition's committable position (for the final commit), whether or not it moved.
    func allCommittablePositions() -> [TopicPartitionOffset] {
        self.state.withLock { state in
            state.partitions.compactMap { key, progress in
                progress.committable.map { TopicPartitionOffset(key, offset: $0) }
            }
        }
    }

    /// Waits until these partitions (every partition when `nil`) are quiescent: no work active, and every
    /// record below the frontier finished. At most `timeout`.
    /// - Returns: Whether that happened in time.
    func waitUntilIdle(_ partitions: Set<TopicPartition>?, timeout: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let waiterId = self.state.withLock { state -> Int? in
                guard !Self.isIdle(partitions, in: state) else { return nil }
                state.nextWaiterId += 1
                state.idleWaiters.append(IdleWaiter(id: state.nextWaiterId, partitions: partitions, continuation: continuation))
                return state.nextWaiterId
            }
            guard let waiterId else { return continuation.resume(returning: true) }
            Task {
                try? await Task.sleep(for: timeout)
                self.expireWaiter(waiterId)
            }
        }
    }

    private func expireWaiter(_ id: Int) {
        let expired = self.state.withLock { state -> IdleWaiter? in
            guard let index = state.idleWaiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.idleWaiters.remove(at: index)
        }
        expired?.continuation.resume(returning: false)
    }

    private static func isIdle(_ partitions: Set<TopicPartition>?, in state: State) -> Bool {
        guard let partitions else {
            return state.activeTotal == 0 && state.partitions.values.allSatisfy(\.isQuiescent)
        }
        return partitions.allSatisfy { partition in
            guard let progress = state.partitions[partition] else { return true }
            return progress.active == 0 && progress.isQuiescent
        }
    }

    private static func takeSatisfiedWaiters(_ state: inout State) -> [CheckedContinuation<Bool, Never>] {
        guard !state.idleWaiters.isEmpty else { return [] }
        var resumed: [CheckedContinuation<Bool, Never>] = []
        var waiting: [IdleWaiter] = []
        for waiter in state.idleWaiters {
            if Self.isIdle(waiter.partitions, in: state) { resumed.append(waiter.continuation) } else { waiting.append(waiter) }
        }
        state.idleWaiters = waiting
        return resumed
    }
}
