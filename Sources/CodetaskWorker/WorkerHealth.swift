import Synchronization

/// The worker's liveness and readiness, as the operations endpoint reports them (`/healthz`, `/readyz`).
///
/// The worker's driver records itself on every tick (each 100 ms); a driver that stops ticking (stuck in a
/// call, deadlocked) turns liveness off after ``WorkerHealth/loopStallLimit``. Readiness also needs the worker
/// running (not stopping), the circuit breaker closed and the oldest unfinished record younger than the
/// configured limit (work is moving).
public final class WorkerHealth: Sendable {
    /// How long the driver may go without a tick before the worker is reported not alive.
    public static let loopStallLimit: Duration = .seconds(10)

    private struct State {
        var phase = Phase.starting
        var lastLoop: ContinuousClock.Instant?
        var oldestUnfinishedAge: Duration = .zero
        var breakerOpen = false
    }

    /// Where the worker is in its life.
    public enum Phase: String, Sendable {
        case starting, running, stopping, stopped
    }

    private let state = Mutex(State())
    private let unfinishedAgeLimit: Duration

    /// - Parameter unfinishedAgeLimit: The oldest an unfinished record may be while the worker is ready.
    public init(unfinishedAgeLimit: Duration) {
        self.unfinishedAgeLimit = unfinishedAgeLimit
    }

    /// The driver's tick: the loop is alive, with the machine's figures of this moment.
    func recordLoop(now: ContinuousClock.Instant, oldestUnfinishedAge: Duration, breakerOpen: Bool) {
        self.state.withLock { state in
            state.lastLoop = now
            state.oldestUnfinishedAge = oldestUnfinishedAge
            state.breakerOpen = breakerOpen
            if state.phase == .starting { state.phase = .running }
        }
    }

    /// The worker moved to another phase (stopping, stopped).
    func enter(_ phase: Phase) {
        self.state.withLock { $0.phase = phase }
    }

    /// Liveness: the driver ticked within ``loopStallLimit`` (a worker still starting or stopped is alive).
    public func liveness(now: ContinuousClock.Instant = .now) -> HealthReport {
        let state = self.state.withLock { $0 }
        return HealthReport(checks: [self.loopCheck(state, now: now)])
    }

    /// Readiness: running, the driver alive, the breaker closed, and the oldest unfinished record younger
    /// than the limit.
    public func readiness(now: ContinuousClock.Instant = .now) -> HealthReport {
        let state = self.state.withLock { $0 }
        return HealthReport(checks: [
            HealthReport.Check(name: "running", ok: state.phase == .running, detail: state.phase.rawValue),
            self.loopCheck(state, now: now),
            HealthReport.Check(
                name: "informatica", ok: !state.breakerOpen,
                detail: state.breakerOpen ? "circuit breaker not closed" : "circuit breaker closed"),
            HealthReport.Check(
                name: "progress", ok: state.oldestUnfinishedAge <= self.unfinishedAgeLimit,
                detail: "oldest unfinished record \(Self.seconds(state.oldestUnfinishedAge)) s old (limit \(Self.seconds(self.unfinishedAgeLimit)) s)"),
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

    private static func seconds(_ duration: Duration) -> String {
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
