/// When the client refreshes its session ahead of the service's limits.
public struct SessionSettings: Sendable, Hashable {
    /// The service's idle limit: a session unused this long is gone. Default 30 min.
    public var idleLimit: Duration = .seconds(30 * 60)
    /// How long before expiry (or the idle limit) the client logs in anew. Default 60 s.
    public var refreshMargin: Duration = .seconds(60)
    /// The time one login or logout call may take. Default 15 s.
    public var loginTimeout: Duration = .seconds(15)

    /// Creates the default settings; change the properties as needed.
    public init() {}
}
