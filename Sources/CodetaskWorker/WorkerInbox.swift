import Kafka
import Synchronization

/// The one queue of events into the worker's state machine, and the rebalance callbacks waiting on it.
///
/// Every source (polls, jobs, the ticker, the breaker, the rebalance listener, ``Worker/shutdown()``) sends
/// here; the driver task takes events one at a time. A revocation waits (on librdkafka's polling thread)
/// until the driver completes it; once the driver has finished, revocations complete at once.
final class WorkerInbox: Sendable {
    typealias Event = WorkerCore<RecordWork>.Event

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let revocations = Mutex(Revocations())

    private struct Revocations {
        var waiting: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 1
        var isClosed = false
    }

    init() {
        (self.events, self.continuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Queues an event for the driver.
    func send(_ event: Event) {
        self.continuation.yield(event)
    }

    /// The consumer's rebalance listener: assignments and losses are queued; a revocation waits until the
    /// driver completes it (its running jobs drained, its finished positions committed).
    func rebalance(_ event: KafkaRebalanceEvent) async {
        switch event {
        case .assigned(let partitions):
            self.send(.assigned(partitions))
        case .lost(let partitions):
            self.send(.lost(partitions))
        case .revoked(let partitions):
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let id = self.revocations.withLock { state -> UInt64? in
                    guard !state.isClosed else { return nil }
                    let id = state.nextID
                    state.nextID += 1
                    state.waiting[id] = waiter
                    return id
                }
                guard let id else { return waiter.resume() }
                self.send(.revoked(partitions, id))
            }
        }
    }

    /// Lets a waiting revocation complete (idempotent).
    func completeRevocation(_ id: UInt64) {
        self.revocations.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
    }

    /// The driver has finished: every waiting revocation completes, and later ones complete at once.
    func close() {
        let waiting = self.revocations.withLock { state in
            state.isClosed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        waiting.forEach { $0.resume() }
        self.continuation.finish()
    }
}
