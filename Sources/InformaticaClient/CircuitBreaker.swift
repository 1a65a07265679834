import Foundation
import Synchronization

/// A thread-safe circuit breaker with observable state.
///
/// Opens after a run of retriable failures, admits probes after the open time, closes on a probe's success.
final class CircuitBreaker: Sendable {
    private struct Shared {
        var machine: StateMachine
        var subscribers: [Int: AsyncStream<CircuitBreakerState>.Continuation] = [:]
        var nextSubscriber = 0
    }

    private let shared: Mutex<Shared>
    private let clock: any InformaticaClock

    init(settings: CircuitBreakerSettings, clock: any InformaticaClock) {
        self.shared = Mutex(Shared(machine: StateMachine(settings: settings)))
        self.clock = clock
    }

    /// The current state (an open breaker whose time is up reads as half-open).
    var state: CircuitBreakerState {
        let now = self.clock.now()
        return self.shared.withLock { $0.machine.observed(at: now) }
    }

    /// A stream of state changes, starting with the current state; ends when the client shuts down.
    func updates() -> AsyncStream<CircuitBreakerState> {
        let (stream, continuation) = AsyncStream.makeStream(of: CircuitBreakerState.self, bufferingPolicy: .bufferingNewest(16))
        let now = self.clock.now()
        let id = self.shared.withLock { shared in
            let id = shared.nextSubscriber
            shared.nextSubscriber += 1
            shared.subscribers[id] = continuation
            continuation.yield(shared.machine.observed(at: now))
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.shared.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Asks whether a call may go now.
    func acquire() -> StateMachine.Permit {
        let now = self.clock.now()
        return self.shared.withLock { shared in
            let (permit, changed) = shared.machine.acquire(now: now)
            if let changed { Self.publish(changed, to: shared.subscribers) }
            return permit
        }
    }

    /// Reports an attempt's result.
    func record(_ result: StateMachine.Result, probe: Bool) {
        let now = self.clock.now()
        self.shared.withLock { shared in
            if let changed = shared.machine.record(result, probe: probe, now: now) {
                Self.publish(changed, to: shared.subscribers)
            }
        }
    }

    /// Ends every update stream.
    func finish() {
        let subscribers = self.shared.withLock { shared in
            defer { shared.subscribers.removeAll() }
            return shared.subscribers
        }
        for continuation in subscribers.values { continuation.finish() }
    }

    /// Yields under the lock so that subscribers see changes in order; `yield` does not call back.
    private static func publish(_ state: CircuitBreakerState, to subscribers: [Int: AsyncStream<CircuitBreakerState>.Continuation]) {
        for continuation in subscribers.values { continuation.yield(state) }
    }
}
