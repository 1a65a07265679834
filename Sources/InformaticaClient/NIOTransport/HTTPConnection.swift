import NIOCore
import NIOHTTP1
import Synchronization

/// One pooled keep-alive connection: a channel whose pipeline ends in an ``HTTPConnectionHandler``.
final class HTTPConnection: Sendable {
    /// The channel.
    let channel: any Channel
    /// The origin the connection serves.
    let origin: RequestTarget.Origin
    /// Whether requests use the absolute-form URI (plain HTTP through a proxy).
    let absoluteForm: Bool
    private let handler: NIOLoopBound<HTTPConnectionHandler>
    private let exchanges = Atomic<UInt64>(0)

    init(channel: any Channel, origin: RequestTarget.Origin, absoluteForm: Bool, handler: NIOLoopBound<HTTPConnectionHandler>) {
        self.channel = channel
        self.origin = origin
        self.absoluteForm = absoluteForm
        self.handler = handler
    }

    /// Sends a request and waits for its whole response.
    /// - Throws: ``TransportError``, `CancellationError`, or ``ConnectionUnusable`` when the connection was
    ///   found closed before the request was written.
    func execute(head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline) async throws -> TransportResponse {
        let exchange = self.exchanges.add(1, ordering: .relaxed).newValue
        let handler = self.handler
        let eventLoop = self.channel.eventLoop
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: HTTPConnectionHandler.Continuation) in
                if eventLoop.inEventLoop {
                    handler.value.start(exchange: exchange, head: head, body: body, deadline: deadline, continuation: continuation)
                } else {
                    eventLoop.execute {
                        handler.value.start(exchange: exchange, head: head, body: body, deadline: deadline, continuation: continuation)
                    }
                }
            }
        } onCancel: {
            eventLoop.execute { handler.value.cancel(exchange: exchange) }
        }
    }

    /// Closes the connection.
    func close() {
        self.channel.close(promise: nil)
    }
}
