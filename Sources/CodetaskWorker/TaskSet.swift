import Synchronization

/// Tasks the worker starts and must be able to cancel one by one and await at the end: a task leaves the set
/// when it ends, so the set holds only what is still running.
final class TaskSet: Sendable {
    private struct State {
        var running: [UInt64: Task<Void, Never>] = [:]
        var endedBeforeStored: Set<UInt64> = []
        var nextID: UInt64 = 1
    }

    private let state = Mutex(State())

    /// Starts `body` under `id` (a fresh id when `nil`).
    func spawn(id given: UInt64? = nil, _ body: @escaping @Sendable () async -> Void) {
        let id = given ?? self.state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID | (1 << 63)
        }
        let task = Task {
            await body()
            self.ended(id)
        }
        self.state.withLock { state in
            if state.endedBeforeStored.remove(id) == nil { state.running[id] = task }
        }
    }

    /// Cancels the task with this id, if it still runs.
    func cancel(_ id: UInt64) {
        self.state.withLock { $0.running[id] }?.cancel()
    }

    /// Cancels every task still running.
    func cancelAll() {
        for task in self.state.withLock({ Array($0.running.values) }) { task.cancel() }
    }

    /// The number of tasks still running.
    var count: Int { self.state.withLock { $0.running.count } }

    /// Waits for every task until `deadline`.
    /// - Returns: Whether all ended in time.
    @discardableResult
    func waitAll(until deadline: ContinuousClock.Instant) async -> Bool {
        let tasks = self.state.withLock { Array($0.running.values) }
        if tasks.isEmpty { return true }
        return await Bounded.run(until: deadline) { for task in tasks { await task.value } }
    }

    private func ended(_ id: UInt64) {
        self.state.withLock { state in
            if state.running.removeValue(forKey: id) == nil { state.endedBeforeStored.insert(id) }
        }
    }
}
