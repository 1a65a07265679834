import NIOCore
import NIOHTTP1

/// Reads whole HTTP requests, asks the core for the answer and writes it (after the injected delay),
/// or closes the connection when the core says to drop it.
final class SimulatorHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: SimulatorCore
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(core: SimulatorCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
        case .body(var chunk):
            if self.body == nil {
                self.body = chunk
            } else {
                self.body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let bytes = self.body.map { Array($0.readableBytesView) } ?? []
            self.body = nil
            let request = SimRequest(method: head.method, path: head.uri, headers: head.headers, body: bytes)
            let response = self.core.handle(request)
            let keepAlive = head.isKeepAlive
            if response.delay > .zero {
                let nanoseconds = response.delay.components.seconds * 1_000_000_000 + response.delay.components.attoseconds / 1_000_000_000
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) {
                    self.respond(context: context, response: response, keepAlive: keepAlive, version: head.version)
                }
            } else {
                self.respond(context: context, response: response, keepAlive: keepAlive, version: head.version)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, response: SimResponse, keepAlive: Bool, version: HTTPVersion) {
        guard context.channel.isActive else { return }
        if response.dropConnection {
            context.close(promise: nil)
            return
        }
        if let broken = response.broken {
            BrokenAnswerWriter.write(broken, body: response.body, context: context)
            return
        }
        var headers = HTTPHeaders(response.headers)
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            self.wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))),
            promise: nil
        )
        if !response.body.isEmpty {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
