import NIOCore
import NIOHTTP1

/// Thrown when a pooled connection turned out closed before the request was written: the request can
/// safely go on another connection.
struct ConnectionUnusable: Error {}

/// Runs one request at a time on a keep-alive HTTP/1.1 connection, on the channel's event loop.
///
/// It owns the per-request timeout and the idle timeout with a single lazily re-armed timer per
/// connection, so that a request costs no timer scheduling in the common case.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// A response as read: converted to a ``TransportResponse`` by the caller, off the event loop.
    struct RawResponse: Sendable {
        var head: HTTPResponseHead
        var body: ByteBuffer?
    }

    /// The response continuation of the request in flight.
    typealias Continuation = UnsafeContinuation<RawResponse, any Error>

    /// The largest response body read (Informatica answers are small).
    static let maxBodyBytes = 4 * 1024 * 1024
    /// The most header fields an answer may have (Informatica sends a few dozen at most).
    static let maxHeaderCount = 256

    private let idleTimeout: TimeAmount
    private let sniffer: StatusLineSniffer
    /// Called on the event loop when a response ended and the connection can take the next request.
    var onReusable: (() -> Void)?

    private var context: ChannelHandlerContext?
    private var closed = false
    private var continuation: Continuation?
    private var exchange: UInt64 = 0
    /// An exchange whose task was cancelled before its `start` reached the event loop.
    private var cancelledBeforeStart: UInt64?
    private var deadline = NIODeadline.distantFuture
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var idleSince = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    /// - Parameter sniffer: The handler before the HTTP decoder that reads each answer's status line.
    init(idleTimeout: TimeAmount, sniffer: StatusLineSniffer) {
        self.idleTimeout = idleTimeout
        self.sniffer = sniffer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.closed = !context.channel.isActive
        self.armTimer(at: self.idleSince + self.idleTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.closed = true
        self.timer?.cancel()
        self.fail(TransportError.connection("the connection was closed"), close: false)
        self.context = nil
        self.onReusable = nil
    }

    /// Writes a request; the continuation gets its response or error.
    /// Resumes with ``ConnectionUnusable`` when the connection closed before anything was written.
    /// - Parameters:
    ///   - method: The method-only head the response decoder needs.
    ///   - request: The encoded request (see ``RequestEncoder``).
    func start(exchange: UInt64, method: HTTPRequestHead, request: ByteBuffer, deadline: NIODeadline, continuation: Continuation) {
        if self.cancelledBeforeStart == exchange {
            // Cancelled before it reached the event loop: nothing is written.
            self.cancelledBeforeStart = nil
            continuation.resume(throwing: CancellationError())
            return
        }
        guard !self.closed, self.continuation == nil, let context else {
            continuation.resume(throwing: ConnectionUnusable())
            return
        }
        self.continuation = continuation
        self.exchange = exchange
        self.deadline = deadline
        self.head = nil
        self.body = nil
        self.sniffer.reset()
        self.armTimer(at: deadline)
        context.write(self.wrapOutboundOut(.head(method)), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(request))), promise: nil)
    }

    /// Ends the request `exchange` with a `CancellationError` (when it is still in flight) and closes the connection.
    func cancel(exchange: UInt64) {
        guard self.continuation != nil, self.exchange == exchange else {
            // A task cancelled before its exchange started: `start` refuses it when it arrives.
            if exchange > self.exchange { self.cancelledBeforeStart = exchange }
            return
        }
        self.fail(CancellationError(), close: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            guard self.continuation != nil else {
                // An answer nobody asked for: the connection's state is unknown.
                context.close(promise: nil)
                return
            }
            if head.status.code >= 100 && head.status.code < 200 {
                self.sniffer.reset()  // informational, the real answer follows
                return
            }
            self.head = head
            if head.headers.count > Self.maxHeaderCount {
                self.fail(TransportError.connection("the answer has more than \(Self.maxHeaderCount) header fields"), close: true)
            }
        case .body(var part):
            guard self.continuation != nil else { return }
            if (self.body?.readableBytes ?? 0) + part.readableBytes > Self.maxBodyBytes {
                self.fail(TransportError.connection("response body larger than \(Self.maxBodyBytes) bytes"), close: true)
            } else if self.body == nil {
                self.body = part
            } else {
                self.body!.writeBuffer(&part)
            }
        case .end:
            self.complete(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.closed = true
        self.timer?.cancel()
        self.fail(TransportError.connection("the server closed the connection before the answer ended"), close: false)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(TransportError.connection(Self.describe(error)), close: true)
        context.close(promise: nil)
    }

    private func complete(context: ChannelHandlerContext) {
        guard let continuation = self.continuation, let head = self.head else { return }
        self.continuation = nil
        self.head = nil
        let response = RawResponse(head: head, body: self.body)
        self.body = nil
        self.idleSince = .now()
        if head.isKeepAlive && !self.closed {
            self.onReusable?()
        } else {
            self.closed = true
            context.close(promise: nil)
        }
        continuation.resume(returning: response)
    }

    /// Fails the request in flight, if any, optionally closing the connection (a half-read answer leaves it unusable).
    /// A ``TransportError`` gets the exchange's stage: the request was written, and perhaps a status line came back.
    private func fail(_ error: any Error, close: Bool) {
        guard let continuation = self.continuation else { return }
        var error = error
        if var transportError = error as? TransportError {
            transportError.stage = self.stage()
            error = transportError
        }
        self.continuation = nil
        self.head = nil
        self.body = nil
        if close, !self.closed {
            self.closed = true
            self.context?.close(promise: nil)
        }
        continuation.resume(throwing: error)
    }

    /// How far the exchange in flight got: a status line read (by the decoder or, when the head itself broke,
    /// by the sniffer), else written.
    private func stage() -> TransportError.Stage {
        let partial = self.body.flatMap { $0.getBytes(at: $0.readerIndex, length: min($0.readableBytes, TransportError.partialBodyLimit)) }
        if let head = self.head { return .answered(status: Int(head.status.code), partialBody: partial ?? []) }
        if let status = self.sniffer.status, status >= 200 { return .answered(status: status, partialBody: []) }
        return .sent
    }

    /// Makes sure the timer fires no later than `deadline`; a later pending timer is moved forward.
    private func armTimer(at deadline: NIODeadline) {
        guard !self.closed, let context else { return }
        if let pending = self.timerDeadline, pending <= deadline { return }
        self.timer?.cancel()
        self.timerDeadline = deadline
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.timerFired()
        }
    }

    /// Times out the request in flight or closes an idle connection, else re-arms for the next due time.
    private func timerFired() {
        self.timer = nil
        self.timerDeadline = nil
        guard !self.closed, let context else { return }
        let now = NIODeadline.now()
        if self.continuation != nil {
            if self.deadline <= now {
                self.fail(TransportError.timeout("no complete answer before the request's deadline"), close: true)
            } else {
                self.armTimer(at: self.deadline)
            }
        } else if self.idleSince + self.idleTimeout <= now {
            self.closed = true
            context.close(promise: nil)
        } else {
            self.armTimer(at: self.idleSince + self.idleTimeout)
        }
    }

    /// A short description of a channel error, without headers or bodies.
    static func describe(_ error: any Error) -> String {
        if let error = error as? TransportError { return error.message }
        return String(describing: type(of: error)) + ": \(error)"
    }
}
