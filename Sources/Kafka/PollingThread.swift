import Foundation
import Synchronization

/// A dedicated thread that calls `body` in a loop until stopped: it serves librdkafka's callbacks
/// (delivery reports, logs) without ever occupying Swift's cooperative thread pool.
final class PollingThread: Sendable {
    private let running = Mutex(true)
    private let finished = DispatchSemaphore(value: 0)
    private let stopOnce = Mutex(false)

    /// Starts the thread. `body` should block for a bounded time (a poll with a timeout).
    init(name: String, body: @escaping @Sendable () -> Void) {
        // The thread keeps `self` alive until `stop()` ends the loop.
        let thread = Thread { [self] in
            while running.withLock({ $0 }) { body() }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to end and waits until the current iteration finishes. Idempotent.
    func stop() {
        let alreadyStopped = stopOnce.withLock { stopped in defer { stopped = true }; return stopped }
        guard !alreadyStopped else { return }
        running.withLock { $0 = false }
        finished.wait()
    }
}
