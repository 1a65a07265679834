import Synchronization

/// Asks a call in progress to end without sending another request, while a request already sent still gets
/// its answer.
///
/// Cancelling the calling task ends the request on the wire too, and with it the only chance to learn what
/// Informatica did (Start is not idempotent: a job may run whose id nobody receives). Winding down is the
/// softer end: no new attempt, login wait, backoff or breaker wait goes on, but an attempt whose request was
/// handed to the transport finishes. The worker winds down the calls of partitions it lost, so the answers
/// it can still get are published rather than the tasks started again.
public final class CallWindDown: Sendable {
    private struct State {
        var requested = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a signal that is not requested yet.
    public init() {}

    /// Whether winding down was requested.
    public var isRequested: Bool { self.state.withLock { $0.requested } }

    /// Requests winding down; waits in progress end at once. Idempotent.
    public func request() {
        let waiters = self.state.withLock { state in
            state.requested = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when winding down is requested or the calling task is cancelled.
    func wait() async {
        let id = self.state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    guard !state.requested, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
