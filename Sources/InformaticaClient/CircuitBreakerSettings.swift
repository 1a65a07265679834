/// When the circuit breaker opens and how it probes.
public struct CircuitBreakerSettings: Sendable, Hashable {
    /// Whether the breaker is used at all. Default `true`.
    public var isEnabled: Bool = true
    /// Consecutive retriable failures (connection errors, timeouts, 408, 429, 5xx) that open it. Default 5.
    public var failureThreshold: Int = 5
    /// How long it stays open before admitting probes. Default 30 s.
    public var openDuration: Duration = .seconds(30)
    /// How many probe calls may be in flight while half-open. Default 1.
    public var halfOpenProbes: Int = 1

    /// Creates the default settings; change the properties as needed.
    public init() {}
}
