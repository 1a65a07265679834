import Synchronization

/// Waits for work that may not end in time (a C call that cannot be cancelled, a logout to a hanging
/// server) no longer than a deadline, so a stop keeps its bound.
enum Bounded {
    /// Runs `operation` and waits for it until `deadline`; past it, returns while the operation goes on.
    /// - Returns: Whether it finished in time.
    @discardableResult
    static func run(until deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async -> Void) async -> Bool {
        let outcome = Mutex<CheckedContinuation<Bool, Never>?>(nil)
        let resume: @Sendable (Bool) -> Void = { value in outcome.withLock { $0.take() }?.resume(returning: value) }
        return await withCheckedContinuation { continuation in
            outcome.withLock { $0 = continuation }
            let timer = Task {
                try? await Task.sleep(until: deadline)
                resume(false)
            }
            Task {
                await operation()
                // Resumed before the timer is cancelled: a cancelled timer resumes with `false` at once, and would
                // otherwise report finished work as not finished.
                resume(true)
                timer.cancel()
            }
        }
    }
}
