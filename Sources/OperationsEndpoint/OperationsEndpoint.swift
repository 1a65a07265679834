public import CodetaskWorker
import Hummingbird
public import Logging
public import Prometheus
public import ServiceLifecycle

/// The worker's operations endpoint, a service for a `ServiceGroup`:
/// - `GET /metrics`: the Prometheus text format of `registry`;
/// - `GET /healthz`: liveness (200, or 503 when the worker's driver stopped ticking);
/// - `GET /readyz`: readiness (200, or 503 naming the failing check: stopping, breaker open, no progress).
///
/// Health answers are small JSON objects (``HealthReport/json``). The server stops on the group's graceful
/// shutdown; put it before the worker in the group's services, so it is shut down after the worker and stays
/// up while the worker drains.
public struct OperationsEndpoint: Service {
    /// Where to listen: a host name or address and a port (0: any free port).
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int

        /// - Parameter text: `host:port` (`[v6]:port` for IPv6 addresses).
        /// - Returns: `nil` when the text is not of that form or the port is out of range.
        public init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65_535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.host = host
            self.port = port
        }

        public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
    }

    private let application: Application<RouterResponder<BasicRequestContext>>

    /// - Parameters:
    ///   - address: Where to listen.
    ///   - registry: The metrics to serve.
    ///   - health: The worker's health.
    ///   - logger: The server's log.
    ///   - onListening: Called with the bound port once the server listens.
    public init(
        address: Address, registry: PrometheusCollectorRegistry, health: WorkerHealth, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        let router = Router()
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("healthz") { _, _ in Self.answer(health.liveness()) }
        router.get("readyz") { _, _ in Self.answer(health.readiness()) }
        self.application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? address.port) },
            logger: logger)
    }

    /// Serves until the group's graceful shutdown (or cancellation).
    public func run() async throws {
        try await self.application.run()
    }

    private static func answer(_ report: HealthReport) -> Response {
        Response(
            status: report.ok ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: report.json + "\n")))
    }
}
