import NIOCore
import NIOHTTP1
import Synchronization

/// One pooled keep-alive connection: a channel whose pipeline ends in an ``HTTPConnectionHandler``.
final class HTTPConnection: Sendable {
    /// The channel.
    let channel: any Channel
    /// The origin the connection serves.
    let origin: RequestTarget.Origin
    private let handler: NIOLoopBound<HTTPConnectionHandler>
    private let exchanges = Atomic<UInt64>(0)

    init(channel: any Channel, origin: RequestTarget.Origin, handler: NIOLoopBound<HTTPConnectionHandler>) {
        self.channel = channel
        self.origin = origin
        self.handler = handler
    }

    /// Sends a request and waits for its whole response.
    /// - Throws: ``TransportError``, `CancellationError`, or ``ConnectionUnusable`` when the connection was
    ///   found closed before the request was written.
    /// - Parameters:
    ///   - method: The request's method.
    ///   - request: The encoded request (see ``RequestEncoder``).
    func execute(method: TransportRequest.Method, request: ByteBuffer, deadline: NIODeadline) async throws -> TransportResponse {
        let exchange = self.exchanges.add(1, ordering: .relaxed).newValue
        let handler = self.handler
        let eventLoop = self.channel.eventLoop
        let head = RequestEncoder.methodHead(method)
        let raw = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: HTTPConnectionHandler.Continuation) in
                if eventLoop.inEventLoop {
                    handler.value.start(exchange: exchange, method: head, request: request, deadline: deadline, continuation: continuation)
                } else {
                    eventLoop.execute {
                        handler.value.start(exchange: exchange, method: head, request: request, deadline: deadline, continuation: continuation)
                    }
                }
            }
        } onCancel: {
            eventLoop.execute { handler.value.cancel(exchange: exchange) }
        }
        return TransportResponse(
            status: Int(raw.head.status.code),
            headers: raw.head.headers.map { ($0.name, $0.value) },
            body: raw.body.map { Array($0.readableBytesView) } ?? []
        )
    }

    /// Closes the connection.
    func close() {
        self.channel.close(promise: nil)
    }
}
