import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The production transport: AsyncHTTPClient with its keep-alive pool (at most
/// ``HTTPSettings/maxConnectionsPerHost`` connections per host), TLS with the optional CA bundle, an optional
/// proxy with basic authentication, and no redirects.
///
/// Each request is read as a stream so that a failure can say how far it got (``TransportError/Stage``):
/// before the request's head was written (never sent), after (sent), or after the status line of the answer
/// (answered, with the first body bytes). The request's timeout covers getting a connection, the answer's head
/// and its whole body; cancelling the calling task ends the request and closes its connection.
final class AsyncHTTPClientTransport: HTTPTransport {
    /// The most header fields an answer may have (Informatica sends a few dozen at most).
    static let maxHeaderCount = 256

    private let client: HTTPClient
    private let maxBodyBytes: Int
    private let shutDown = Atomic<Bool>(false)

    /// Creates the transport from the HTTP settings.
    /// - Parameter group: The event loops; NIO's shared singleton by default.
    /// - Throws: When the CA bundle cannot be read as PEM certificates.
    init(settings: HTTPSettings, group: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) throws {
        self.client = HTTPClient(eventLoopGroup: group, configuration: try .informatica(settings))
        self.maxBodyBytes = settings.maxResponseBodyBytes
    }

    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse {
        let deadline = ContinuousClock.now + request.timeout
        let progress = ExchangeProgress(writeIsObservable: request.body != nil)
        do {
            return try await Self.within(deadline) {
                try await self.exchange(request, deadline: deadline, progress: progress, logger: logger)
            }
        } catch is DeadlinePassed {
            throw TransportError.translating(DeadlinePassed(), progress: progress, deadlinePassed: true)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw TransportError.translating(error, progress: progress, deadlinePassed: false)
        }
    }

    func shutdown() async throws {
        guard !self.shutDown.exchange(true, ordering: .relaxed) else { return }
        try await self.client.shutdown()
    }

    /// A transport dropped without ``shutdown()`` (an owner that returned early on an error) shuts its
    /// client down instead of leaving connections open.
    deinit {
        guard !self.shutDown.load(ordering: .relaxed) else { return }
        self.client.shutdown { _ in }
    }

    /// Sends the request and reads the answer, recording the progress.
    private func exchange(
        _ request: TransportRequest,
        deadline: ContinuousClock.Instant,
        progress: ExchangeProgress,
        logger: Logger
    ) async throws -> TransportResponse {
        let response = try await self.client.execute(
            Self.outgoing(request, progress: progress),
            timeout: .nanoseconds((deadline - .now).totalNanoseconds),
            logger: logger
        )
        let status = Int(response.status.code)
        progress.answered(status: status)
        guard response.headers.count <= Self.maxHeaderCount else {
            throw TransportError.connection("the answer has more than \(Self.maxHeaderCount) header fields")
        }
        var body: [UInt8] = []
        for try await part in response.body {
            progress.received(part)
            guard body.count + part.readableBytes <= self.maxBodyBytes else {
                throw TransportError.connection("response body larger than \(self.maxBodyBytes) bytes")
            }
            body.append(contentsOf: part.readableBytesView)
        }
        // A cancelled body stream ends like a complete one: what was read may be cut short.
        try Task.checkCancellation()
        return TransportResponse(status: status, headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    /// The AsyncHTTPClient request; its body tells `progress` when writing began.
    private static func outgoing(_ request: TransportRequest, progress: ExchangeProgress) -> HTTPClientRequest {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method == .post ? .POST : .GET
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(WriteSignallingBytes(body) { progress.writingBegan() }, length: .known(Int64(body.count)))
        }
        return outgoing
    }

    /// Thrown when a request's deadline passed.
    private struct DeadlinePassed: Error {}

    /// Runs `operation` until `deadline`; past it the operation is cancelled (which ends its request) and
    /// ``DeadlinePassed`` is thrown.
    private static func within<Result: Sendable>(
        _ deadline: ContinuousClock.Instant,
        _ operation: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else { throw DeadlinePassed() }
            return result
        }
    }
}
