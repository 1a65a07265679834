import AsyncHTTPClient
import NIOCore
import NIOSSL

extension HTTPClient.Configuration {
    /// The AsyncHTTPClient configuration for the client's ``HTTPSettings``: the one place they are translated.
    ///
    /// Redirects are never followed (a session id must not reach another host: a 3xx is an answer like any
    /// other); a failed connection attempt fails the waiting requests at once (the client's retry policy
    /// decides what happens next); responses are not decompressed. HTTP/1.1 only, also over TLS to a server that
    /// offers HTTP/2: each connection gets the ``AnswerHeadWatch`` handlers, which hook the HTTP/1.1 pipeline, so a
    /// `200` whose head breaks counts as answered (over HTTP/2 it would be sent again: a second Spark job). One
    /// Start per connection at a time costs nothing here: the in-flight limit bounds the connections.
    /// - Throws: When the CA bundle cannot be read as PEM certificates.
    static func informatica(_ settings: HTTPSettings) throws -> HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = settings.verifyTLS ? .fullVerification : .none
        if let path = settings.caBundlePath {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(path))]
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(settings.connectTimeout.totalNanoseconds)),
            proxy: settings.proxy.map(Self.proxy),
            ignoreUncleanSSLShutdown: false,
            decompression: .disabled
        )
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = settings.maxConnectionsPerHost
        configuration.connectionPool.idleTimeout = .nanoseconds(settings.idleTimeout.totalNanoseconds)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        configuration.http1_1ConnectionDebugInitializer = { channel in AnswerHeadWatch.install(on: channel) }
        // The client makes its own span for each request (with the attempt's attributes, its context in the
        // request's `traceparent`); AsyncHTTPClient's would be a second one, and computing its attributes cost
        // about 3 % of the worker's CPU even with no tracer bootstrapped.
        configuration.tracing.tracer = nil
        return configuration
    }

    /// An HTTP proxy, with `Proxy-Authorization: Basic` when it has credentials.
    private static func proxy(_ proxy: HTTPSettings.Proxy) -> Proxy {
        let authorization = proxy.credentials.map {
            HTTPClient.Authorization.basic(username: $0.username, password: $0.password.value)
        }
        return .server(host: proxy.host, port: proxy.port, authorization: authorization)
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var totalNanoseconds: Int64 {
        let parts = self.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
