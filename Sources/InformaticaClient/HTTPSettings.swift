/// Settings of the client's HTTP transport (one AsyncHTTPClient with its keep-alive pool per client).
public struct HTTPSettings: Sendable, Hashable {
    /// The most keep-alive connections per host (scheme, host and port), a hard limit: further
    /// concurrent requests wait for a connection within their timeout. Default 16.
    public var maxConnectionsPerHost: Int = 16
    /// Whether server certificates are verified. Default `true`; turn off only for local tests.
    public var verifyTLS: Bool = true
    /// A PEM file with extra trusted CA certificates, added to the system's.
    public var caBundlePath: String?
    /// An HTTP proxy for all calls (https and plain http alike go through a `CONNECT` tunnel).
    public var proxy: Proxy?
    /// The time allowed for connecting (TCP, the proxy tunnel and the TLS handshake each). Default 5 s.
    public var connectTimeout: Duration = .seconds(5)
    /// How long an idle pooled connection is kept. Default 60 s.
    public var idleTimeout: Duration = .seconds(60)
    /// The largest response body read; a longer answer breaks off as unreadable. Default 4 MiB
    /// (Informatica's answers are a few KiB).
    public var maxResponseBodyBytes: Int = 4 * 1024 * 1024

    /// Creates the default settings; change the properties as needed.
    public init() {}
}
