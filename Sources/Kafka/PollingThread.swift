import Foundation
import Synchronization

/// A dedicated thread that calls `body` in a loop until stopped: it serves librdkafka's callbacks
/// (delivery reports, logs) without ever occupying Swift's cooperative thread pool.
final class PollingThread: Sendable {
    private let running = Mutex(true)
    private let finished = DispatchSemaphore(value: 0)
    private let stopOnce = Mutex(false)
    /// When the loop last began a turn (`DispatchTime` uptime, nanoseconds).
    private let lastTurn = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)

    /// Starts the thread. `body` should block for a bounded time (a poll with a timeout).
    init(name: String, body: @escaping @Sendable () -> Void) {
        // The thread keeps `self` alive until `stop()` ends the loop.
        let thread = Thread { [self] in
            while running.withLock({ $0 }) {
                lastTurn.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
                body()
            }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// How long ago the loop last began a turn: a turn is bounded, so a silence of seconds means the thread is
    /// stuck inside `body` (or was stopped).
    var silence: Duration {
        let now = DispatchTime.now().uptimeNanoseconds
        let last = lastTurn.load(ordering: .relaxed)
        return .nanoseconds(Int64(clamping: now &- min(last, now)))
    }

    /// Asks the loop to end and waits until the current iteration finishes. Idempotent.
    func stop() {
        let alreadyStopped = stopOnce.withLock { stopped in defer { stopped = true }; return stopped }
        guard !alreadyStopped else { return }
        running.withLock { $0 = false }
        finished.wait()
    }
}
