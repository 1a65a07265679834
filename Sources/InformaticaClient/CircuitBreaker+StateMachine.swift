import Foundation

extension CircuitBreaker {
    /// The breaker's rules, without locks or I/O. Each method returns the new state when it changed.
    struct StateMachine: Sendable {
        /// Whether a call may go.
        enum Permit: Equatable {
            /// Go; `probe` marks a half-open probe, which must be reported with ``record(_:probe:now:)``.
            case allowed(probe: Bool)
            /// Wait until `retryAt` and ask again.
            case rejected(retryAt: Date)
        }

        /// What an attempt told about the service's health.
        enum Result {
            /// The service answered properly (2xx, or a 4xx that is the caller's problem).
            case healthy
            /// A retriable failure: connection error, timeout, 408, 429, 5xx.
            case failure
            /// Says nothing about health (a session error); frees a probe slot.
            case neutral
        }

        let settings: CircuitBreakerSettings
        private(set) var state: CircuitBreakerState = .closed
        private var consecutiveFailures = 0
        private var probesInFlight = 0

        init(settings: CircuitBreakerSettings) {
            self.settings = settings
        }

        /// The state as seen at `now`: an open breaker whose time is up reads as half-open.
        func observed(at now: Date) -> CircuitBreakerState {
            if case .open(let until) = self.state, now >= until { return .halfOpen }
            return self.state
        }

        /// Asks whether a call may go at `now`.
        mutating func acquire(now: Date) -> (Permit, changed: CircuitBreakerState?) {
            guard self.settings.isEnabled else { return (.allowed(probe: false), nil) }
            var changed: CircuitBreakerState?
            if case .open(let until) = self.state {
                guard now >= until else { return (.rejected(retryAt: until), nil) }
                self.state = .halfOpen
                self.probesInFlight = 0
                changed = .halfOpen
            }
            switch self.state {
            case .closed:
                return (.allowed(probe: false), changed)
            case .halfOpen:
                guard self.probesInFlight < self.settings.halfOpenProbes else {
                    return (.rejected(retryAt: now.adding(self.probeWait)), changed)
                }
                self.probesInFlight += 1
                return (.allowed(probe: true), changed)
            case .open(let until):
                return (.rejected(retryAt: until), changed)
            }
        }

        /// Reports an attempt's result.
        mutating func record(_ result: Result, probe: Bool, now: Date) -> CircuitBreakerState? {
            guard self.settings.isEnabled else { return nil }
            if probe { self.probesInFlight = max(0, self.probesInFlight - 1) }
            switch (self.state, result) {
            case (.closed, .healthy):
                self.consecutiveFailures = 0
            case (.closed, .failure):
                self.consecutiveFailures += 1
                if self.consecutiveFailures >= self.settings.failureThreshold { return self.open(now: now) }
            case (.halfOpen, .healthy) where probe:
                self.state = .closed
                self.consecutiveFailures = 0
                return .closed
            case (.halfOpen, .failure) where probe:
                return self.open(now: now)
            default:
                break
            }
            return nil
        }

        /// How long a caller waits while the probe slots are taken: a tenth of the open time, at most 1 s.
        private var probeWait: Duration {
            min(.fromSeconds(self.settings.openDuration.inSeconds / 10), .seconds(1))
        }

        private mutating func open(now: Date) -> CircuitBreakerState {
            self.state = .open(until: now.adding(self.settings.openDuration))
            self.consecutiveFailures = 0
            self.probesInFlight = 0
            return self.state
        }
    }
}
