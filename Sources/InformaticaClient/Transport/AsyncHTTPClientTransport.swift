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
    private let bodyDeadlines: BodyDeadlineWatch

    /// Creates the transport from the HTTP settings.
    /// - Parameter group: The event loops; NIO's shared singleton by default.
    /// - Throws: When the CA bundle cannot be read as PEM certificates.
    init(settings: HTTPSettings, group: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) throws {
        self.client = HTTPClient(eventLoopGroup: group, configuration: try .informatica(settings))
        self.maxBodyBytes = settings.maxResponseBodyBytes
        self.bodyDeadlines = BodyDeadlineWatch(loop: group.next())
    }

    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse {
        let deadline = NIODeadline.now() + .nanoseconds(request.timeout.totalNanoseconds)
        let progress = ExchangeProgress(writeIsObservable: request.body != nil)
        do {
            return try await self.exchange(request, deadline: deadline, progress: progress, logger: logger)
        } catch {
            if !progress.deadlinePassed, Task.isCancelled { throw CancellationError() }
            throw TransportError.translating(error, progress: progress, deadlinePassed: progress.deadlinePassed)
        }
    }

    func shutdown() async throws {
        guard !self.shutDown.exchange(true, ordering: .relaxed) else { return }
        self.bodyDeadlines.stop()
        try await self.client.shutdown()
    }

    /// A transport dropped without ``shutdown()`` (an owner that returned early on an error) shuts its
    /// client down instead of leaving connections open.
    deinit {
        guard !self.shutDown.load(ordering: .relaxed) else { return }
        self.bodyDeadlines.stop()
        self.client.shutdown { _ in }
    }

    /// Sends the request and reads the answer, recording the progress. AsyncHTTPClient ends the request at
    /// `deadline` or when the task is cancelled until the answer's head arrives; the body is read under the
    /// same two rules by ``readBody(_:deadline:progress:)``.
    private func exchange(
        _ request: TransportRequest,
        deadline: NIODeadline,
        progress: ExchangeProgress,
        logger: Logger
    ) async throws -> TransportResponse {
        let response = try await self.client.execute(Self.outgoing(request, progress: progress), deadline: deadline, logger: logger)
        let status = Int(response.status.code)
        progress.answered(status: status)
        guard response.headers.count <= Self.maxHeaderCount else {
            throw TransportError.connection("the answer has more than \(Self.maxHeaderCount) header fields")
        }
        let body = try await self.readBody(response.body, deadline: deadline, progress: progress)
        return TransportResponse(status: status, headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    /// Reads the whole body before `deadline`, at most ``HTTPSettings/maxResponseBodyBytes``.
    ///
    /// The reading runs in a task of its own so that the deadline watch can cancel it (at most one tick of
    /// ``BodyDeadlineWatch`` late; cancelling the body's iteration makes AsyncHTTPClient end the request and close
    /// the connection); the task never outlives this call: cancelling the caller cancels it, and it is awaited.
    private func readBody(_ body: HTTPClientResponse.Body, deadline: NIODeadline, progress: ExchangeProgress) async throws -> [UInt8] {
        let limit = self.maxBodyBytes
        let reader = Task { try await Self.collect(body, limit: limit, progress: progress) }
        let watched = self.bodyDeadlines.watch(until: deadline) {
            progress.deadlineHasPassed()
            reader.cancel()
        }
        defer { self.bodyDeadlines.end(watched) }
        return try await withTaskCancellationHandler {
            try await reader.value
        } onCancel: {
            reader.cancel()
        }
    }

    /// The body's bytes, keeping the first of them in `progress`.
    private static func collect(_ body: HTTPClientResponse.Body, limit: Int, progress: ExchangeProgress) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await part in body {
            progress.received(part)
            guard bytes.count + part.readableBytes <= limit else {
                throw TransportError.connection("response body larger than \(limit) bytes")
            }
            bytes.append(contentsOf: part.readableBytesView)
        }
        // A cancelled body stream ends like a complete one: what was read may be cut short.
        try Task.checkCancellation()
        return bytes
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
}
