/// Settings of the client's HTTP transport (one keep-alive pool per client).
public struct HTTPSettings: Sendable, Hashable {
    /// An HTTP proxy.
    public struct Proxy: Sendable, Hashable {
        /// The proxy host.
        public var host: String
        /// The proxy port.
        public var port: Int

        /// Creates a proxy setting.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The most keep-alive connections per host (scheme, host and port), a hard limit: further
    /// concurrent requests wait for a connection within their timeout. Default 16.
    public var maxConnectionsPerHost: Int = 16
    /// Whether server certificates are verified. Default `true`; turn off only for local tests.
    public var verifyTLS: Bool = true
    /// A PEM file with extra trusted CA certificates, added to the system's.
    public var caBundlePath: String?
    /// An HTTP proxy for all calls.
    public var proxy: Proxy?
    /// The time allowed for connecting. Default 5 s.
    public var connectTimeout: Duration = .seconds(5)
    /// How long an idle pooled connection is kept. Default 60 s.
    public var idleTimeout: Duration = .seconds(60)

    /// Creates the default settings; change the properties as needed.
    public init() {}
}
