import Kafka

extension WorkerCore {
    /// Pauses every owned partition while stopping, while the breaker holds consumption, or while too many
    /// records are unfinished (resuming below half the limit); resumes them afterwards.
    mutating func updatePauses(now: ContinuousClock.Instant, into actions: inout [Action]) {
        if self.pendingTotal >= self.settings.maxPending {
            self.overloaded = true
        } else if self.pendingTotal <= self.settings.maxPending / 2 {
            self.overloaded = false
        }
        let owned = Set(self.partitions.keys)
        self.paused.formIntersection(owned)
        let shouldPause = !self.lifecycle.isRunning || self.overloaded || self.breakerHoldsConsumption(now: now)
        if shouldPause {
            let toPause = owned.subtracting(self.paused)
            guard !toPause.isEmpty else { return }
            self.paused.formUnion(toPause)
            actions.append(.pause(toPause.sorted()))
        } else if !self.paused.isEmpty {
            actions.append(.resume(self.paused.sorted()))
            self.paused = []
        }
    }

    /// Why consumption is paused now, if it is.
    func pauseReason(now: ContinuousClock.Instant) -> PauseReason? {
        if !self.lifecycle.isRunning { return .stopping }
        if self.breakerHoldsConsumption(now: now) { return .circuitBreaker }
        if self.overloaded { return .backPressure }
        return nil
    }

    /// New records wait for the breaker until it closes again, as long as running jobs are there to probe
    /// it; with none, records flow again once probes are admitted, and the first of them is the probe.
    func breakerHoldsConsumption(now: ContinuousClock.Instant) -> Bool {
        switch self.breaker {
        case .closed: return false
        case .open(let until): return now < until || self.runningKeyed > 0
        case .halfOpen: return self.runningKeyed > 0
        }
    }
}

/// Why the worker pauses its partitions; the raw value labels the `codetask_worker_partitions_paused` gauge.
enum PauseReason: String, CaseIterable, Sendable, CustomStringConvertible {
    case stopping
    case circuitBreaker = "circuit_breaker"
    case backPressure = "back_pressure"

    var description: String {
        switch self {
        case .stopping: "stopping"
        case .circuitBreaker: "circuit breaker open"
        case .backPressure: "unfinished records at limit"
        }
    }
}
