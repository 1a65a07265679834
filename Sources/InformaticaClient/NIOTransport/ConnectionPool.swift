import NIOCore
import Synchronization

/// Keep-alive HTTP/1.1 connections per origin, at most `limit` each; requests beyond the limit wait
/// (oldest first) for a connection to come back or a slot to free up.
final class ConnectionPool: Sendable {
    private let state = Mutex(State())
    private let factory: ConnectionFactory
    private let limit: Int

    init(factory: ConnectionFactory, limit: Int) {
        self.factory = factory
        self.limit = limit
    }

    /// A connection to `origin` for one request; give it back by letting the response end on it
    /// (it files itself as idle), or it closes and leaves the pool.
    /// - Throws: ``TransportError`` (`timeout` past `deadline`, `connection_error` when connecting fails),
    ///   `CancellationError`.
    func lease(_ origin: RequestTarget.Origin, deadline: NIODeadline) async throws -> HTTPConnection {
        let grant = try self.state.withLock { state throws(TransportError) -> Grant? in
            guard !state.shutDown else { throw Self.shutDownError }
            return state.leaseNow(origin, limit: self.limit)
        }
        let granted: Grant
        if let grant {
            granted = grant
        } else {
            granted = try await self.wait(origin, deadline: deadline)
        }
        switch granted {
        case .connection(let connection):
            return connection
        case .create:
            return try await self.open(origin, deadline: deadline)
        }
    }

    /// Forgets a connection found unusable (it closes, or already did).
    func discard(_ connection: HTTPConnection) {
        connection.close()
        self.removed(connection)
    }

    /// Closes every connection and fails the waiting requests; later leases fail.
    func shutdown() async {
        for connection in self.beginShutdown() { try? await connection.channel.close() }
    }

    /// Marks the pool shut down, fails the waiting requests and returns the connections to close.
    func beginShutdown() -> [HTTPConnection] {
        let (connections, waiters) = self.state.withLock { state in
            state.shutDown = true
            let pools = state.origins.values
            return (pools.flatMap(\.live.values), pools.flatMap(\.waiters))
        }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: Self.shutDownError)
        }
        return connections
    }

    private static let shutDownError = TransportError.connection("the HTTP transport is shut down")

    /// Opens a connection in a slot already counted.
    private func open(_ origin: RequestTarget.Origin, deadline: NIODeadline) async throws -> HTTPConnection {
        let connection: HTTPConnection
        do {
            connection = try await self.factory.connect(origin, deadline: deadline) { [weak self] connection in
                self?.released(connection)
            }
        } catch {
            self.grant(self.state.withLock { $0.connectFailed(origin) }, .create)
            throw error
        }
        let closeAtOnce = self.state.withLock { state in
            state.origins[origin, default: OriginPool()].live[ObjectIdentifier(connection)] = connection
            return state.shutDown
        }
        connection.channel.closeFuture.whenComplete { [weak self] _ in self?.removed(connection) }
        if closeAtOnce {
            connection.close()
            throw Self.shutDownError
        }
        return connection
    }

    /// Waits for a connection or a slot until `deadline`.
    private func wait(_ origin: RequestTarget.Origin, deadline: NIODeadline) async throws -> Grant {
        let id = self.state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Grant, any Error>) in
                let grant = self.state.withLock { state -> Result<Grant, TransportError>? in
                    guard !state.shutDown else { return .failure(Self.shutDownError) }
                    if let grant = state.leaseNow(origin, limit: self.limit) { return .success(grant) }
                    state.origins[origin, default: OriginPool()].waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let grant {
                    continuation.resume(with: grant)
                    return
                }
                if Task.isCancelled {
                    self.abandon(origin, waiter: id, with: CancellationError())
                    return
                }
                let timeout = self.factory.group.any().scheduleTask(deadline: deadline) { [weak self] () -> Void in
                    guard let self else { return }
                    self.abandon(origin, waiter: id, with: TransportError.timeout("no connection free before the request's deadline"))
                }
                let served = self.state.withLock { state in
                    guard let index = state.origins[origin]?.waiters.firstIndex(where: { $0.id == id }) else { return true }
                    state.origins[origin]?.waiters[index].timeout = timeout
                    return false
                }
                if served { timeout.cancel() }
            }
        } onCancel: {
            self.abandon(origin, waiter: id, with: CancellationError())
        }
    }

    /// Ends a wait that is still pending with `error`.
    private func abandon(_ origin: RequestTarget.Origin, waiter id: UInt64, with error: any Error) {
        guard let waiter = self.state.withLock({ $0.removeWaiter(origin, id: id) }) else { return }
        waiter.timeout?.cancel()
        waiter.continuation.resume(throwing: error)
    }

    /// A response ended on `connection` and it can serve the next request.
    private func released(_ connection: HTTPConnection) {
        self.grant(self.state.withLock { $0.release(connection) }, .connection(connection))
    }

    /// `connection` closed.
    private func removed(_ connection: HTTPConnection) {
        self.grant(self.state.withLock { $0.remove(connection) }, .create)
    }

    private func grant(_ waiter: Waiter?, _ grant: Grant) {
        guard let waiter else { return }
        waiter.timeout?.cancel()
        waiter.continuation.resume(returning: grant)
    }
}
