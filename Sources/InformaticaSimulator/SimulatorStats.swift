/// Counters of session traffic, for tests and the admin endpoint.
public struct SimulatorStats: Sendable, Hashable, Codable {
    /// Successful logins (both kinds).
    public var logins = 0
    /// Failed logins.
    public var failedLogins = 0
    /// Login calls that wrongly carried a session header.
    public var loginsWithSessionHeader = 0
    /// Successful logouts.
    public var logouts = 0
    /// Calls refused for a missing, unknown or expired session.
    public var sessionRejections = 0
    /// Start calls received.
    public var startCalls = 0
    /// JobStatus calls received.
    public var jobStatusCalls = 0
    /// Connections dropped on purpose.
    public var droppedConnections = 0
}
