import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A tiny HTTP/1.1 server for transport tests: answers with an async handler, optionally over TLS,
/// and counts connections (accepted, open, most open at once).
final class TestHTTPServer: Sendable {
    /// One received request.
    struct Request: Sendable {
        var method: HTTPMethod
        var uri: String
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// How to answer.
    enum Reply: Sendable {
        /// An answer with extra `headers`; `close` adds `Connection: close` and closes after it, `silentClose` closes after
        /// it without saying so.
        case answer(
            status: Int = 200,
            headers: [(String, String)] = [],
            body: ByteBuffer = ByteBuffer(string: "{}"),
            close: Bool = false,
            silentClose: Bool = false
        )
        /// Closes the connection without answering.
        case drop
    }

    /// Connection counts.
    struct Counts: Sendable {
        var accepted = 0
        var open = 0
        var mostOpen = 0
    }

    let port: Int
    private let channel: any Channel
    private let counts: NIOLockedValueBox<Counts>
    private let requests: NIOLockedValueBox<[Request]>

    /// `http://127.0.0.1:PORT` (or `https://localhost:PORT` with TLS).
    let baseURL: String

    private init(port: Int, baseURL: String, channel: any Channel, counts: NIOLockedValueBox<Counts>, requests: NIOLockedValueBox<[Request]>) {
        self.port = port
        self.baseURL = baseURL
        self.channel = channel
        self.counts = counts
        self.requests = requests
    }

    /// Starts a server on a free port of 127.0.0.1.
    static func start(tls: NIOSSLContext? = nil, handler: @escaping @Sendable (Request) async -> Reply) async throws -> TestHTTPServer {
        let counts = NIOLockedValueBox(Counts())
        let requests = NIOLockedValueBox<[Request]>([])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counts.withLockedValue {
                    $0.accepted += 1
                    $0.open += 1
                    $0.mostOpen = max($0.mostOpen, $0.open)
                }
                channel.closeFuture.whenComplete { _ in counts.withLockedValue { $0.open -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(Responder(handler: handler, requests: requests))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        let baseURL = tls == nil ? "http://127.0.0.1:\(port)" : "https://localhost:\(port)"
        return TestHTTPServer(port: port, baseURL: baseURL, channel: channel, counts: counts, requests: requests)
    }

    /// The connection counts so far.
    var connections: Counts { self.counts.withLockedValue { $0 } }

    /// Every request received so far.
    var received: [Request] { self.requests.withLockedValue { $0 } }

    /// Stops listening (open connections close with their clients).
    func shutdown() async throws {
        try await self.channel.close()
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let handler: @Sendable (Request) async -> Reply
        let requests: NIOLockedValueBox<[Request]>
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(handler: @escaping @Sendable (Request) async -> Reply, requests: NIOLockedValueBox<[Request]>) {
            self.handler = handler
            self.requests = requests
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body.clear()
            case .body(var part):
                self.body.writeBuffer(&part)
            case .end:
                guard let head = self.head else { return }
                let request = Request(method: head.method, uri: head.uri, headers: head.headers, body: self.body)
                self.requests.withLockedValue { $0.append(request) }
                let handler = self.handler
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let eventLoop = context.eventLoop
                Task {
                    let reply = await handler(request)
                    eventLoop.execute {
                        let (responder, context) = loopBound.value
                        responder.send(reply, context: context)
                    }
                }
            }
        }

        private func send(_ reply: Reply, context: ChannelHandlerContext) {
            switch reply {
            case .drop:
                context.close(promise: nil)
            case .answer(let status, let extraHeaders, let body, let close, let silentClose):
                var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes))])
                headers.add(contentsOf: extraHeaders)
                if close { headers.add(name: "Connection", value: "close") }
                let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
                context.write(self.wrapOutboundOut(.head(head)), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                let written = context.writeAndFlush(self.wrapOutboundOut(.end(nil)))
                if close || silentClose { written.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
            }
        }
    }
}
