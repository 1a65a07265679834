/// Everything the Informatica client needs: how to get a session, how to retry, how to protect the API,
/// and how to talk HTTP.
///
/// Validate with ``validate()`` (the client's initializer does); errors name the setting.
/// The description redacts the password and the session id.
public struct InformaticaConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How the session id is obtained.
    public var session: SessionMode
    /// Session refresh and login timing.
    public var sessionSettings: SessionSettings = SessionSettings()
    /// Backoff, attempts, deadline and per-attempt timeout.
    public var retry: RetryPolicy = RetryPolicy()
    /// A token bucket on Start calls; `nil` (the default) means no limit.
    public var rateLimit: RateLimitSettings?
    /// The circuit breaker.
    public var circuitBreaker: CircuitBreakerSettings = CircuitBreakerSettings()
    /// The shared HTTP client.
    public var http: HTTPSettings = HTTPSettings()

    /// Creates a configuration with default settings for everything but the session.
    /// - Parameter session: How the session id is obtained.
    public init(session: SessionMode) {
        self.session = session
    }

    /// All settings; the password and session id show as `<redacted>`.
    public var description: String {
        let rate = self.rateLimit.map { "\($0.startsPerSecond)/s burst \($0.burst)" } ?? "off"
        return "InformaticaConfiguration(session: \(self.session), retry: \(self.retry), rateLimit: \(rate), "
            + "circuitBreaker: \(self.circuitBreaker), http: \(self.http), sessionSettings: \(self.sessionSettings))"
    }
}
