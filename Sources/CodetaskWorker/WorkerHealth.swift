import Kafka
import Synchronization

/// The worker's liveness and readiness, as the operations endpoint reports them (`/healthz`, `/readyz`).
///
/// The worker's driver records itself on every tick (each 100 ms); a driver that stops ticking (stuck in a
/// call, deadlocked) turns liveness off after ``WorkerHealth/loopStallLimit``, and so do a producer whose
/// delivery-report thread has been silent that long and a consumer poll that
/// has not returned within its own limit (the longest a poll may legitimately take: a revocation served inside
/// it, drained and committed, plus ``loopStallLimit``). Readiness also needs the worker running (not stopping),
/// the Kafka brokers answering (the last sample of the partitions' end offsets, every few seconds, was
/// answered), the circuit breaker closed, the oldest unfinished record younger than the configured limit (work is
/// moving), no newly assigned partition still loading (its committed position and attempt journal unread, so
/// none of its records starts) for longer than ``loadingLimit``, partitions owned (or a rebalance settling, see
/// ``unassignedLimit``), and commits moving where there is lag.
public final class WorkerHealth: Sendable {
    /// How long the driver may go without a tick before the worker is reported not alive.
    public static let loopStallLimit: Duration = .seconds(10)
    /// How long a running member may own no partition while ready (a rebalance settling).
    public static let unassignedLimit: Duration = .seconds(60)

    private struct State {
        var phase = Phase.starting
        var lastLoop: ContinuousClock.Instant?
        var oldestUnfinishedAge: Duration = .zero
        var breakerOpen = false
        var loading = PartitionLoading()
        /// Whether the brokers answered the last sample, and what it said (`nil` before the first).
        var kafka: (answered: Bool, detail: String)?
        /// When the poll now outstanding began, and how long it may take.
        var poll: (since: ContinuousClock.Instant, limit: Duration)?
        /// How long the producer's delivery-report thread had been silent at the last tick.
        var deliverySilence: Duration = .zero
        /// Owned partitions with records behind their committed position, with the time since their last commit.
        var lagging: [TopicPartition: Duration] = [:]
        /// Input partitions owned at the last tick, and when some were last owned (or the worker began running).
        var owned = 0
        var ownedAt: ContinuousClock.Instant?
    }

    /// Where the worker is in its life.
    public enum Phase: String, Sendable {
        case starting, running, stopping, stopped
    }

    private let state = Mutex(State())
    private let unfinishedAgeLimit: Duration
    /// How long a newly assigned partition may stay loading while the worker is ready; past it, the worker also
    /// logs its failing reads at error level.
    public let loadingLimit: Duration

    /// - Parameters:
    ///   - unfinishedAgeLimit: The oldest an unfinished record may be while the worker is ready.
    ///   - loadingLimit: How long a newly assigned partition may stay loading while the worker is ready (30 s by
    ///     default).
    public init(unfinishedAgeLimit: Duration, loadingLimit: Duration = .seconds(30)) {
        self.unfinishedAgeLimit = unfinishedAgeLimit
        self.loadingLimit = loadingLimit
    }

    /// The driver's tick: the loop is alive, with the machine's figures of this moment (and how long the
    /// producer's delivery-report thread has been silent).
    func recordLoop(
        now: ContinuousClock.Instant, oldestUnfinishedAge: Duration, breakerOpen: Bool, deliverySilence: Duration = .zero,
        partitionsOwned: Int = 0
    ) {
        self.state.withLock { state in
            state.lastLoop = now
            state.deliverySilence = deliverySilence
            state.owned = partitionsOwned
            if partitionsOwned > 0 || state.ownedAt == nil { state.ownedAt = now }
            state.oldestUnfinishedAge = oldestUnfinishedAge
            state.breakerOpen = breakerOpen
            if state.phase == .starting { state.phase = .running }
        }
    }

    /// Updates the partitions being loaded at assignment (see ``PartitionLoading``).
    /// - Parameter report: Told how many partitions are loading now, under the lock (so concurrent updates
    ///   report in order, and a gauge set here ends with the latest count).
    /// - Returns: How many partitions are loading now.
    @discardableResult
    func loading(_ update: (inout PartitionLoading) -> Void, report: (Int) -> Void = { _ in }) -> Int {
        self.state.withLock { state in
            update(&state.loading)
            report(state.loading.entries.count)
            return state.loading.entries.count
        }
    }

    /// A consumer poll began; it may take up to `limit` (a rebalance is served inside it).
    func pollBegan(now: ContinuousClock.Instant, limit: Duration) {
        self.state.withLock { $0.poll = (now, limit) }
    }

    /// The outstanding consumer poll returned.
    func pollEnded() {
        self.state.withLock { $0.poll = nil }
    }

    /// Whether the brokers answered a request of the worker's (the periodic query of end offsets), with a detail
    /// for the report.
    func recordKafka(answered: Bool, detail: String) {
        self.state.withLock { $0.kafka = (answered, detail) }
    }

    /// The partitions with records behind their committed position at the last sample, with their commit ages.
    func recordLagging(_ lagging: [TopicPartition: Duration]) {
        self.state.withLock { $0.lagging = lagging }
    }

    /// The worker moved to another phase (stopping, stopped).
    func enter(_ phase: Phase) {
        self.state.withLock { $0.phase = phase }
    }

    /// Liveness: the driver ticked within ``loopStallLimit`` and no consumer poll has been outstanding for longer
    /// than its limit (a worker still starting or stopped is alive).
    public func liveness(now: ContinuousClock.Instant = .now) -> HealthReport {
        let state = self.state.withLock { $0 }
        return HealthReport(checks: [self.loopCheck(state, now: now), self.pollCheck(state, now: now), self.deliveryCheck(state)])
    }

    /// Readiness: running, the driver and its poll alive, the brokers answering, the breaker closed, the oldest
    /// unfinished record younger than the limit, no partition loading for longer than ``loadingLimit``, partitions
    /// owned, and no partition with lag left without a commit for longer than the unfinished-record limit.
    public func readiness(now: ContinuousClock.Instant = .now) -> HealthReport {
        let state = self.state.withLock { $0 }
        return HealthReport(checks: [
            HealthReport.Check(name: "running", ok: state.phase == .running, detail: state.phase.rawValue),
            self.loopCheck(state, now: now),
            self.pollCheck(state, now: now),
            self.deliveryCheck(state),
            HealthReport.Check(name: "kafka", ok: state.kafka?.answered ?? false, detail: state.kafka?.detail ?? "not asked yet"),
            HealthReport.Check(
                name: "informatica", ok: !state.breakerOpen,
                detail: state.breakerOpen ? "circuit breaker not closed" : "circuit breaker closed"),
            HealthReport.Check(
                name: "progress", ok: state.oldestUnfinishedAge <= self.unfinishedAgeLimit,
                detail: "oldest unfinished record \(Self.seconds(state.oldestUnfinishedAge)) s old (limit \(Self.seconds(self.unfinishedAgeLimit)) s)"),
            state.loading.check(now: now, limit: self.loadingLimit),
            self.groupCheck(state, now: now),
            self.commitsCheck(state),
        ])
    }

    private func loopCheck(_ state: State, now: ContinuousClock.Instant) -> HealthReport.Check {
        guard state.phase == .running || state.phase == .stopping, let last = state.lastLoop else {
            return HealthReport.Check(name: "loop", ok: true, detail: state.phase.rawValue)
        }
        let silent = now - last
        return HealthReport.Check(
            name: "loop", ok: silent <= Self.loopStallLimit, detail: "last tick \(Self.seconds(silent)) s ago")
    }

    private func pollCheck(_ state: State, now: ContinuousClock.Instant) -> HealthReport.Check {
        guard let poll = state.poll else { return HealthReport.Check(name: "poll", ok: true, detail: "no poll outstanding") }
        let waiting = now - poll.since
        return HealthReport.Check(
            name: "poll", ok: waiting <= poll.limit,
            detail: "poll outstanding for \(Self.seconds(waiting)) s (limit \(Self.seconds(poll.limit)) s)")
    }

    /// A member with partitions, or one whose last partition went (or that began running) less than
    /// ``unassignedLimit`` ago: a rebalance still settling. Past it, a member with nothing assigned does no work
    /// (more members than partitions, or it is not in the group).
    private func groupCheck(_ state: State, now: ContinuousClock.Instant) -> HealthReport.Check {
        guard state.owned == 0 else { return HealthReport.Check(name: "group", ok: true, detail: "\(state.owned) partition(s) owned") }
        let without = state.ownedAt.map { now - $0 } ?? .zero
        return HealthReport.Check(
            name: "group", ok: without <= Self.unassignedLimit,
            detail: "no partition owned for \(Self.seconds(without)) s (limit \(Self.seconds(Self.unassignedLimit)) s): "
                + "a rebalance settling, more members than partitions, or not in the group")
    }

    /// No owned partition with records behind its committed position has gone without a commit for longer than
    /// the unfinished-record limit.
    private func commitsCheck(_ state: State) -> HealthReport.Check {
        let stalled = state.lagging.filter { $0.value > self.unfinishedAgeLimit }.keys.sorted()
        guard let first = stalled.first else {
            return HealthReport.Check(name: "commits", ok: true, detail: "\(state.lagging.count) partition(s) with lag, each committed recently")
        }
        return HealthReport.Check(
            name: "commits", ok: false,
            detail: "\(stalled.count) partition(s) with lag and no commit for over \(Self.seconds(self.unfinishedAgeLimit)) s, e.g. \(first)")
    }

    private func deliveryCheck(_ state: State) -> HealthReport.Check {
        HealthReport.Check(
            name: "delivery", ok: state.deliverySilence <= Self.loopStallLimit,
            detail: "delivery reports served \(Self.seconds(state.deliverySilence)) s ago")
    }

    static func seconds(_ duration: Duration) -> String {
        String(Int(duration.secondsValue.rounded(.down)))
    }
}

/// The answer of a health check: every check with its result, as a small JSON object.
public struct HealthReport: Sendable, Equatable {
    /// One named check.
    public struct Check: Sendable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    /// The checks, in a fixed order.
    public var checks: [Check]

    /// Whether every check passed.
    public var ok: Bool { self.checks.allSatisfy(\.ok) }

    /// `{"status":"ok"|"failing","checks":{"<name>":{"ok":true,"detail":"..."}}}`.
    public var json: String {
        var body = JSONObjectWriter()
        body.string("status", self.ok ? "ok" : "failing")
        body.object("checks") { checks in
            for check in self.checks {
                checks.object(check.name) { entry in
                    entry.bool("ok", check.ok)
                    entry.string("detail", check.detail)
                }
            }
        }
        return body.finish()
    }
}
