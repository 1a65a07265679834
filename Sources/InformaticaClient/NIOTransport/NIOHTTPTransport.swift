import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The production transport: a lean HTTP/1.1 client on SwiftNIO with a keep-alive pool per origin.
///
/// Each request leases a connection (an idle one, a new one below ``HTTPSettings/maxConnectionsPerHost``,
/// or it waits for one), is written in one flush and its response is collected on the event loop, which
/// resumes the caller once. Connections closed by the server or broken leave the pool and are replaced
/// on demand. The request's timeout covers waiting for a connection, connecting and the response.
/// TLS verifies certificates fully unless turned off, trusting the optional CA bundle as well; a proxy
/// gets plain-HTTP requests in absolute form and tunnels https with CONNECT.
final class NIOHTTPTransport: HTTPTransport {
    private let pool: ConnectionPool
    private let proxied: Bool
    private let shutDown = Atomic<Bool>(false)

    /// Creates the transport from the HTTP settings.
    /// - Parameter group: The event loops; NIO's shared singleton by default.
    /// - Throws: When the CA bundle cannot be read as PEM certificates.
    init(settings: HTTPSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        let factory = try ConnectionFactory(settings: settings, group: group)
        self.pool = ConnectionPool(factory: factory, limit: settings.maxConnectionsPerHost)
        self.proxied = settings.proxy != nil
    }

    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse {
        guard !self.shutDown.load(ordering: .relaxed) else { throw TransportError.connection("the HTTP transport is shut down") }
        let target = try RequestTarget(url: request.url)
        let deadline = NIODeadline.now() + .nanoseconds(request.timeout.totalNanoseconds)
        let encoded = try RequestEncoder.encode(request, target: target, absoluteForm: self.proxied && !target.origin.secure)
        // A pooled connection may turn out closed before the request was written (the server closed it
        // while idle); such a request is sent again on another connection. Nothing written is ever resent.
        var unusable = 0
        while true {
            let connection = try await self.pool.lease(target.origin, deadline: deadline)
            do {
                return try await connection.execute(method: request.method, request: encoded, deadline: deadline)
            } catch is ConnectionUnusable {
                self.pool.discard(connection)
                unusable += 1
                if unusable > 3 { throw TransportError.connection("the connection closed before the request was sent") }
            }
        }
    }

    func shutdown() async throws {
        self.shutDown.store(true, ordering: .relaxed)
        await self.pool.shutdown()
    }

    /// A transport dropped without ``shutdown()`` (an owner that returned early on an error) closes its
    /// connections instead of leaving them open until the idle timeout.
    deinit {
        guard !self.shutDown.load(ordering: .relaxed) else { return }
        for connection in self.pool.beginShutdown() { connection.close() }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var totalNanoseconds: Int64 {
        let parts = self.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
