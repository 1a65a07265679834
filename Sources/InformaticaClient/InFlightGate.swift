import Synchronization

/// Counts calls in flight so that shutdown logs out only after the last one ended,
/// and turns new calls away once shutdown began.
final class InFlightGate: Sendable {
    private struct State {
        var inFlight = 0
        var closing = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Registers a call; `false` once shutdown began.
    func enter() -> Bool {
        self.state.withLock { state in
            guard !state.closing else { return false }
            state.inFlight += 1
            return true
        }
    }

    /// Ends a call registered with ``enter()``.
    func leave() {
        let drained = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight -= 1
            guard state.inFlight == 0, state.closing else { return [] }
            defer { state.drained.removeAll() }
            return state.drained
        }
        for continuation in drained { continuation.resume() }
    }

    /// Turns new calls away and waits until the calls in flight have ended.
    func closeAndDrain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = self.state.withLock { state -> Bool in
                state.closing = true
                guard state.inFlight > 0 else { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
