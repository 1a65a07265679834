/// How the simulator starts: where it listens, whom it accepts, how it behaves.
public struct SimulatorConfiguration: Sendable, Hashable {
    /// The address to bind. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// The port; 0 (the default) picks a free one.
    public var port: Int = 0
    /// The one user that can log in. Default `sim-user`.
    public var username: String = "sim-user"
    /// Its password. Default `sim-password`.
    public var password: String = "sim-password"
    /// The seed of the fault and latency draws (ids are random per run). Default 1.
    public var seed: UInt64 = 1
    /// Faults at start.
    public var faults: FaultConfiguration = FaultConfiguration()
    /// Scripted per-task answers at start.
    public var taskRules: [TaskRule] = []
    /// Length of generated session ids; JWT-style ids reach 16,000. Default 22.
    public var sessionIdLength: Int = 22
    /// The idle limit after which a session is gone. Default 30 min.
    public var sessionIdleSeconds: Double = 30 * 60
    /// The `sessionExpireTime` announced at identity-service login, from login. Default 30 min.
    public var sessionExpireSeconds: Double = 30 * 60
    /// How long a job stays QUEUED. Default 2 s.
    public var jobQueuedSeconds: Double = 2
    /// How long a job stays RUNNING before SUCCEEDED. Default 5 s.
    public var jobRunningSeconds: Double = 5
    /// The error body shape of CodeTask answers: v2 (`code`/`description`) or v3 (`error.code`/`requestId`).
    public var errorStyle: ErrorStyle = .v2
    /// Whether admin endpoints (`/admin/...`) are served. Default `true`.
    public var adminEnabled: Bool = true

    /// The two documented error body shapes.
    public enum ErrorStyle: String, Sendable, Hashable, Codable {
        /// `{"code", "description", "statusCode", "@type": "error"}`.
        case v2
        /// `{"error": {"code", "message", "requestId", "details"}}`.
        case v3
    }

    /// The default configuration.
    public init() {}
}
