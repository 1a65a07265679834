public import Foundation
public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A fake Informatica (IICS) service for tests, the demo and benchmarks: identity-service and v3 login,
/// v3 logout, CodeTask Start and JobStatus, with faults and scripted per-task answers.
///
/// ```swift
/// let simulator = try await InformaticaSimulator.start(SimulatorConfiguration())
/// // point the client at simulator.baseURL ...
/// #expect(simulator.startCalls.count(for: "task-1") == 1)
/// try await simulator.shutdown()
/// ```
public final class InformaticaSimulator: Sendable {
    /// `http://HOST:PORT`, the login URL and the server URL alike.
    public let baseURL: String
    /// The port listened on.
    public let port: Int
    /// The configuration it started with.
    public let configuration: SimulatorConfiguration

    private let core: SimulatorCore
    private let serverChannel: any Channel
    private let connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>
    private let logger: Logger

    private init(
        core: SimulatorCore,
        serverChannel: any Channel,
        connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>,
        baseURL: String,
        port: Int,
        logger: Logger
    ) {
        self.core = core
        self.configuration = core.configuration
        self.serverChannel = serverChannel
        self.connections = connections
        self.baseURL = baseURL
        self.port = port
        self.logger = logger
    }

    /// Starts listening.
    /// - Parameters:
    ///   - configuration: Address, user, faults, rules, timings.
    ///   - now: The simulator's clock (job states, session expiry); tests may pass a controllable one.
    ///   - logger: Where it logs (it never logs passwords or session ids).
    /// - Returns: The running simulator.
    /// - Throws: When the address cannot be bound.
    public static func start(
        _ configuration: SimulatorConfiguration = SimulatorConfiguration(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "informatica.simulator")
    ) async throws -> InformaticaSimulator {
        let core = SimulatorCore(configuration: configuration, now: now)
        let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                connections.withLockedValue { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in _ = connections.withLockedValue { $0.removeValue(forKey: id) } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(SimulatorHTTPHandler(core: core))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        guard let port = channel.localAddress?.port else {
            try await channel.close()
            throw SimulatorError(message: "the listening socket has no port")
        }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let baseURL = "http://\(host):\(port)"
        core.state.withLock { $0.baseURL = baseURL }
        logger.info("Informatica simulator listening", metadata: ["simulator.url": "\(baseURL)"])
        return InformaticaSimulator(
            core: core,
            serverChannel: channel,
            connections: connections,
            baseURL: baseURL,
            port: port,
            logger: logger
        )
    }

    /// Every Start call so far: counts per code task id, order, answers.
    public var startCalls: StartCallLog { self.core.startCalls }

    /// Session and call counters (logins, logouts, rejections, drops).
    public var stats: SimulatorStats { self.core.stats }

    /// Every session id issued so far (tests check that none of them reached a log).
    public var issuedSessionIds: [String] { self.core.state.withLock { Array($0.sessions.keys) } }

    /// The faults in force.
    public var faults: FaultConfiguration { self.core.state.withLock { $0.faults } }

    /// Replaces the faults at run time.
    public func setFaults(_ faults: FaultConfiguration) {
        self.core.setFaults(faults)
    }

    /// Replaces the scripted per-task answers at run time (use counts start afresh).
    public func setTaskRules(_ rules: [TaskRule]) {
        self.core.setTaskRules(rules)
    }

    /// Expires every session, as if the service had dropped them; the next calls get 401.
    public func expireAllSessions() {
        self.core.expireAllSessions()
    }

    /// Stops listening and closes open connections.
    public func shutdown() async throws {
        try await self.serverChannel.close()
        let open = self.connections.withLockedValue { Array($0.values) }
        for connection in open { try? await connection.close() }
        self.logger.info("Informatica simulator stopped")
    }
}

/// A simulator failure, such as a bind that yields no port.
public struct SimulatorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// The message.
    public var description: String { self.message }
}
