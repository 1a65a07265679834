public import Foundation

/// The circuit breaker's state, as the worker observes it to pause consumption.
public enum CircuitBreakerState: Sendable, Hashable, CustomStringConvertible {
    /// Calls flow.
    case closed
    /// Calls wait; probes are admitted from `until` on. Pause consumption until then.
    case open(until: Date)
    /// A limited number of probe calls are admitted; success closes the breaker, failure opens it again.
    case halfOpen

    /// Whether the worker should hold back new calls.
    public var isOpen: Bool {
        if case .open = self { return true }
        return false
    }

    /// `closed`, `open until <date>` or `half-open`.
    public var description: String {
        switch self {
        case .closed: return "closed"
        case .open(let until): return "open until \(until)"
        case .halfOpen: return "half-open"
        }
    }
}
