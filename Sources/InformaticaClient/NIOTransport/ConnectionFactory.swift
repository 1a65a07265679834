import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Opens connections: TCP (optionally through an HTTP proxy, tunnelled with CONNECT for https),
/// TLS with the configured verification, then the HTTP/1.1 codec and an ``HTTPConnectionHandler``.
struct ConnectionFactory: Sendable {
    /// The event loops connections run on.
    let group: any EventLoopGroup
    private let tls: TLSContextCache
    /// The HTTP proxy all connections go through, if any.
    let proxy: HTTPSettings.Proxy?
    private let connectTimeout: TimeAmount
    private let idleTimeout: TimeAmount

    /// - Throws: When the CA bundle cannot be read as PEM certificates.
    init(settings: HTTPSettings, group: any EventLoopGroup) throws {
        self.group = group
        self.tls = try TLSContextCache(settings: settings)
        self.proxy = settings.proxy
        self.connectTimeout = .nanoseconds(settings.connectTimeout.totalNanoseconds)
        self.idleTimeout = .nanoseconds(settings.idleTimeout.totalNanoseconds)
    }

    /// Opens a connection to `origin`, ready for requests, within the connect timeout and `deadline`.
    /// - Parameter onReusable: Called on the event loop each time a response ended on the connection
    ///   and it can take the next request.
    /// - Throws: ``TransportError``: `timeout` when connecting took too long, else `connection_error`.
    func connect(
        _ origin: RequestTarget.Origin,
        deadline: NIODeadline,
        onReusable: @escaping @Sendable (HTTPConnection) -> Void
    ) async throws -> HTTPConnection {
        let remaining = deadline - .now()
        guard remaining > .zero else { throw TransportError.timeout("no time left to connect") }
        let bootstrap = ClientBootstrap(group: self.group)
            .connectTimeout(min(self.connectTimeout, remaining))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: self.proxy?.host ?? origin.host, port: self.proxy?.port ?? origin.port).get()
        } catch {
            throw Self.translate(error)
        }
        do {
            if origin.secure, self.proxy != nil {
                try await ProxyTunnelHandler.open(on: channel, authority: origin.tunnelAuthority, deadline: deadline)
            }
            let sslContext = origin.secure ? try self.tls.context() : nil
            let idleTimeout = self.idleTimeout
            return try await channel.eventLoop.submit {
                let sniffer = StatusLineSniffer()
                let handler = HTTPConnectionHandler(idleTimeout: idleTimeout, sniffer: sniffer)
                let operations = channel.pipeline.syncOperations
                if let sslContext {
                    try operations.addHandler(
                        try NIOSSLClientHandler(context: sslContext, serverHostname: origin.hostIsIPAddress ? nil : origin.host)
                    )
                }
                try operations.addHandler(EncodedRequestWriter())
                try operations.addHandler(sniffer)
                try operations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                try operations.addHandler(handler)
                let connection = HTTPConnection(
                    channel: channel,
                    origin: origin,
                    handler: NIOLoopBound(handler, eventLoop: channel.eventLoop)
                )
                handler.onReusable = { onReusable(connection) }
                return connection
            }.get()
        } catch {
            try? await channel.close()
            throw Self.translate(error)
        }
    }

    /// Maps connect errors to the transport's two codes.
    private static func translate(_ error: any Error) -> TransportError {
        if let error = error as? TransportError { return error }
        if case ChannelError.connectTimeout = error { return .timeout("connect timed out") }
        return .connection(HTTPConnectionHandler.describe(error))
    }
}
