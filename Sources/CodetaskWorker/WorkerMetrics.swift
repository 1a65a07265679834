import Foundation
import InformaticaClient
import Kafka
public import Metrics

/// The worker's metrics, made through a swift-metrics factory (Prometheus in the command line, whatever the
/// process bootstrapped otherwise). The names follow Prometheus conventions; docs/operations.md's metrics table
/// lists them. Labels carry only bounded values (types, categories, HTTP statuses, partitions), never a request's
/// data.
struct WorkerMetrics: Sendable {
    private let factory: any MetricsFactory
    /// Input records handed to the worker.
    let recordsConsumed: Counter
    /// Start calls in progress (jobs holding an in-flight slot).
    let startCallsInFlight: Gauge
    /// Records tracked and not finished.
    let recordsPending: Gauge
    /// Requests held while Informatica is judged down.
    let requestsHeld: Gauge
    /// Input partitions owned.
    let partitionsAssigned: Gauge
    /// Input partitions whose committed position and attempt journal are being read (none of their records starts).
    let partitionsLoading: Gauge
    /// 0 closed, 1 half-open, 2 open.
    let circuitBreakerState: Gauge
    /// Seconds since the oldest unfinished record arrived (0 when none).
    let oldestUnfinishedAge: Gauge
    /// Event publishes retried.
    let publishRetries: Counter
    /// The time from the first Start attempt to its outcome.
    let startDuration: Timer
    /// The time from the input record's timestamp to the acknowledgement of its outcome event.
    let endToEndDuration: Timer
    /// The time an assignment's attempt-journal read took (including waiting for other members' recent attempts).
    let journalRecoveryDuration: Timer
    /// Records found in doubt in the attempt journal and started again (policy `retry`) or failed (`fail`).
    let journalInDoubt: Counter
    /// Records whose outcome an earlier attempt stored in the journal: their event published again, nothing started.
    let journalRepublished: Counter
    /// Lag, committed position and commit age per owned partition.
    let partitions: PartitionGauges
    /// `codetask_worker_partitions` by state, made once (set on every tick).
    private let partitionsLoadingState: Gauge
    private let partitionsActive: Gauge
    private let partitionsRevoking: Gauge

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.recordsConsumed = Counter(label: "codetask_worker_records_consumed_total", factory: factory)
        self.startCallsInFlight = Gauge(label: "codetask_worker_start_calls_in_flight", factory: factory)
        self.recordsPending = Gauge(label: "codetask_worker_records_pending", factory: factory)
        self.requestsHeld = Gauge(label: "codetask_worker_requests_held", factory: factory)
        self.partitionsAssigned = Gauge(label: "codetask_worker_partitions_assigned", factory: factory)
        self.partitionsLoading = Gauge(label: "codetask_worker_partitions_loading", factory: factory)
        self.circuitBreakerState = Gauge(label: "codetask_worker_circuit_breaker_state", factory: factory)
        self.oldestUnfinishedAge = Gauge(label: "codetask_worker_oldest_unfinished_record_age_seconds", factory: factory)
        self.publishRetries = Counter(label: "codetask_worker_publish_retries_total", factory: factory)
        self.startDuration = Timer(label: "codetask_worker_start_duration_seconds", factory: factory)
        self.endToEndDuration = Timer(label: "codetask_worker_end_to_end_duration_seconds", factory: factory)
        self.journalRecoveryDuration = Timer(label: "codetask_worker_journal_recovery_seconds", factory: factory)
        self.journalInDoubt = Counter(label: "codetask_worker_journal_in_doubt_total", factory: factory)
        self.journalRepublished = Counter(label: "codetask_worker_journal_republished_total", factory: factory)
        self.partitions = PartitionGauges(factory: factory)
        let byState = { (state: String) in Gauge(label: "codetask_worker_partitions", dimensions: [("state", state)], factory: factory) }
        self.partitionsLoadingState = byState("loading")
        self.partitionsActive = byState("active")
        self.partitionsRevoking = byState("revoking")
    }

    /// The partitions paused now, under the reason they are paused for (0 under the other reasons).
    func partitionsPaused(_ count: Int, reason: PauseReason?) {
        for candidate in PauseReason.allCases {
            Gauge(label: "codetask_worker_partitions_paused", dimensions: [("reason", candidate.rawValue)], factory: self.factory)
                .record(candidate == reason ? count : 0)
        }
    }

    /// An event acknowledged by the broker: `started` or `failed`.
    func eventPublished(_ type: String) {
        Counter(label: "codetask_worker_events_published_total", dimensions: [("type", type)], factory: self.factory).increment()
    }

    /// A Start that ended in a failure event, by category.
    func startFailed(_ category: String) {
        Counter(label: "codetask_worker_start_failures_total", dimensions: [("category", category)], factory: self.factory)
            .increment()
    }

    /// A record or event dead-lettered, by reason.
    func deadLettered(_ reason: String) {
        Counter(label: "codetask_worker_dead_letters_total", dimensions: [("reason", reason)], factory: self.factory).increment()
    }

    /// The requests one Start made (logins excluded): by HTTP status (`none` without a status line) and
    /// classification (not_sent, rejected, in_doubt, answer_unreadable, accepted); attempts after the first
    /// count as retries.
    func startAttempts(_ attempts: [Attempt]) {
        let requests = attempts.filter { $0.target == .request }
        for attempt in requests {
            Counter(
                label: "codetask_worker_start_calls_total",
                dimensions: [("status", attempt.status.map(String.init) ?? "none"), ("delivery", attempt.delivery.rawValue)],
                factory: self.factory
            ).increment()
        }
        if requests.count > 1 {
            Counter(label: "codetask_worker_start_retries_total", factory: self.factory).increment(by: requests.count - 1)
        }
    }

    /// A read at assignment failed (it is retried), by what was read.
    func assignmentReadFailed(_ read: AssignmentRead) {
        Counter(label: "codetask_worker_assignment_read_failures_total", dimensions: [("read", read.rawValue)], factory: self.factory)
            .increment()
    }

    /// A commit answered, by result (`succeeded`, `refused_by_group`, `failed`).
    func commitEnded(_ result: String) {
        Counter(label: "codetask_worker_commits_total", dimensions: [("result", result)], factory: self.factory).increment()
    }

    /// The owned input partitions by state: `loading` (position and journal being read), `active`, `revoking`.
    func partitionsByState(loading: Int, active: Int, revoking: Int) {
        self.partitionsLoadingState.record(loading)
        self.partitionsActive.record(active)
        self.partitionsRevoking.record(revoking)
    }
}
