import DequeModule

/// Runs jobs concurrently across ordering keys but one at a time, in submission order, per key, with at most
/// `limit` jobs running at once. Submitting never waits for a job: the polling loop stays free.
actor KeyedScheduler {
    typealias Job = @Sendable () async -> Void

    private let limit: Int
    /// Jobs not yet started, per key.
    private var queued: [String: Deque<Job>] = [:]
    /// Keys with a running job.
    private var running: Set<String> = []
    /// Keys with queued jobs and none running, waiting for a free slot, oldest first.
    private var ready: Deque<String> = []
    /// The running jobs' tasks, by key.
    private var tasks: [String: Task<Void, Never>] = [:]

    /// Creates a scheduler running at most `limit` jobs at once.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Queues a job behind the earlier jobs of its key.
    func submit(key: String, _ job: @escaping Job) {
        let keyWasWaiting = !(self.queued[key]?.isEmpty ?? true)
        self.queued[key, default: []].append(job)
        if !keyWasWaiting && !self.running.contains(key) { self.ready.append(key) }
        self.startReadyJobs()
    }

    /// Jobs running now.
    var runningCount: Int { self.running.count }

    private func startReadyJobs() {
        while self.running.count < self.limit, let key = self.ready.popFirst() {
            guard let job = self.queued[key]?.popFirst() else { continue }
            if self.queued[key]?.isEmpty == true { self.queued[key] = nil }
            self.running.insert(key)
            self.tasks[key] = Task {
                await job()
                self.jobEnded(key: key)
            }
        }
    }

    /// Cancels the running jobs (a shutdown past its grace period); queued jobs still start and must see
    /// for themselves that work is no longer taken.
    func cancelRunning() {
        self.tasks.values.forEach { $0.cancel() }
    }

    private func jobEnded(key: String) {
        self.running.remove(key)
        self.tasks[key] = nil
        if self.queued[key] != nil { self.ready.append(key) }
        self.startReadyJobs()
    }
}
