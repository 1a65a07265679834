import Foundation
public import Logging
public import Tracing
public import Metrics

/// The Informatica (IICS) client the worker uses to start code tasks.
///
/// One instance per process: it owns the shared HTTP client (keep-alive pool), the session
/// (one login at a time for all callers, refreshed before expiry or the idle limit, renewed on 401
/// and on 403 about the session), the retry policy, the optional rate limit on Start calls and the
/// circuit breaker. Secrets never appear in its logs, errors or descriptions.
///
/// ```swift
/// let client = try InformaticaClient(configuration: configuration, logger: logger)
/// switch await client.startCodeTask(codeTaskId: "0100000Z000000000002", traceparent: traceparent) {
/// case .started(let started): print(started.jobId)
/// case .failed(let failure): print(failure)
/// }
/// await client.shutdown()
/// ```
public final class InformaticaClient: Sendable {
    /// The validated configuration.
    public let configuration: InformaticaConfiguration

    let transport: any HTTPTransport
    let sessions: SessionManager
    let breaker: CircuitBreaker
    let rateLimiter: RateLimiter?
    let gate = InFlightGate()
    let clock: any InformaticaClock
    let jitter: @Sendable () -> Double
    let logger: Logger
    /// Makes a client span for each request sent.
    let tracer: any Tracer

    /// Creates the client and its shared HTTP client.
    /// - Parameters:
    ///   - configuration: The settings; validated here.
    ///   - clock: The time source for backoff, deadlines, sessions, rate limit and breaker.
    ///   - logger: Where the client logs (info and below); it never logs secrets.
    ///   - tracer: Makes a client span for each request sent (the bootstrapped tracer by default).
    ///   - metrics: Counts logins, `codetask_worker_logins_total{result}` (the bootstrapped factory by default).
    /// - Throws: ``ConfigurationError`` naming an invalid setting, or an error loading the CA bundle.
    public convenience init(
        configuration: InformaticaConfiguration,
        clock: any InformaticaClock = SystemClock(),
        logger: Logger,
        tracer: any Tracer = InstrumentationSystem.tracer,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) throws {
        try configuration.validate()
        let transport = try AsyncHTTPClientTransport(settings: configuration.http)
        try self.init(
            configuration: configuration,
            transport: transport,
            clock: clock,
            jitter: { Double.random(in: 0...1) },
            logger: logger,
            tracer: tracer,
            metrics: metrics
        )
    }

    /// Creates a client on a given transport (tests inject scripted transports and jitter).
    init(
        configuration: InformaticaConfiguration,
        transport: any HTTPTransport,
        clock: any InformaticaClock,
        jitter: @escaping @Sendable () -> Double,
        logger: Logger,
        tracer: any Tracer = InstrumentationSystem.tracer,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.jitter = jitter
        self.logger = logger
        self.tracer = tracer
        let authenticator = SessionAuthenticator(
            mode: configuration.session,
            transport: transport,
            settings: configuration.sessionSettings,
            clock: clock
        )
        self.sessions = SessionManager(
            authenticator: authenticator, settings: configuration.sessionSettings, clock: clock, logger: logger, metrics: metrics)
        self.breaker = CircuitBreaker(settings: configuration.circuitBreaker, clock: clock)
        self.rateLimiter = configuration.rateLimit.map { RateLimiter(settings: $0, metrics: metrics) }
    }

    /// Runs the Start rate limit at `share` (0...1) of its budget from now on: with scope
    /// ``RateLimitSettings/Scope/group``, the share of the input partitions this member owns. Nothing without a
    /// rate limit.
    public func setRateLimitShare(_ share: Double) {
        self.rateLimiter?.setShare(share, now: self.clock.now())
    }

    /// The Start calls per second the rate limit allows this client now; `nil` without a rate limit.
    public var rateLimitInForce: Double? { self.rateLimiter?.rate }

    /// The circuit breaker's state now; while it is open the worker should pause consumption.
    public var circuitBreakerState: CircuitBreakerState {
        self.breaker.state
    }

    /// The breaker's state changes, starting with the current state. Each call makes a new stream;
    /// streams end at ``shutdown()``.
    ///
    /// An open state carries the time from which probes are admitted: a paused consumer resumes then,
    /// and its next call is the probe.
    public func circuitBreakerStateChanges() -> AsyncStream<CircuitBreakerState> {
        self.breaker.updates()
    }

    /// Waits for calls in flight, logs out when the session mode has a logout (v3), ends the breaker
    /// streams and shuts the HTTP client down. Later calls fail with category `rejected`, code `client_shut_down`.
    public func shutdown() async {
        await self.gate.closeAndDrain()
        await self.sessions.close()
        self.breaker.finish()
        do {
            try await self.transport.shutdown()
        } catch {
            self.logger.info("Informatica HTTP client shutdown failed", metadata: [LogKey.error: "\(error)"])
        }
    }
}
