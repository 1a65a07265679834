import DequeModule
import HeapModule

/// Runs jobs concurrently across ordering keys but one at a time, in submission order, per key, with at most
/// `limit` jobs running at once. Submitting never waits for a job: the polling loop stays free.
///
/// A free slot goes to the oldest job that may start (its key has nothing running), so records start in
/// arrival order wherever their keys allow: partitions' commit positions advance steadily, and a crash leaves
/// little started-but-uncommitted work behind.
actor KeyedScheduler {
    typealias Job = @Sendable () async -> Void

    /// A key whose oldest queued job may start, ordered by that job's submission number.
    private struct ReadyKey: Comparable {
        let sequence: UInt64
        let key: String

        static func < (lhs: ReadyKey, rhs: ReadyKey) -> Bool { lhs.sequence < rhs.sequence }
    }

    private let limit: Int
    private var nextSequence: UInt64 = 0
    /// Jobs not yet started, per key, with their submission numbers.
    private var queued: [String: Deque<(sequence: UInt64, job: Job)>] = [:]
    /// Keys with a running job, and the task running it.
    private var running: [String: Task<Void, Never>] = [:]
    /// Keys with queued jobs and none running, oldest head job first.
    private var ready = Heap<ReadyKey>()

    /// Creates a scheduler running at most `limit` jobs at once.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Queues a job behind the earlier jobs of its key.
    func submit(key: String, _ job: @escaping Job) {
        self.nextSequence += 1
        let keyWasWaiting = !(self.queued[key]?.isEmpty ?? true)
        self.queued[key, default: []].append((self.nextSequence, job))
        if !keyWasWaiting && self.running[key] == nil { self.ready.insert(ReadyKey(sequence: self.nextSequence, key: key)) }
        self.startReadyJobs()
    }

    /// Cancels the running jobs (a shutdown past its grace period); queued jobs still start and must see
    /// for themselves that work is no longer taken.
    func cancelRunning() {
        self.running.values.forEach { $0.cancel() }
    }

    private func startReadyJobs() {
        while self.running.count < self.limit, let next = self.ready.popMin() {
            guard let (_, job) = self.queued[next.key]?.popFirst() else { continue }
            if self.queued[next.key]?.isEmpty == true { self.queued[next.key] = nil }
            let key = next.key
            self.running[key] = Task {
                await job()
                self.jobEnded(key: key)
            }
        }
    }

    private func jobEnded(key: String) {
        self.running[key] = nil
        if let head = self.queued[key]?.first { self.ready.insert(ReadyKey(sequence: head.sequence, key: key)) }
        self.startReadyJobs()
    }
}
