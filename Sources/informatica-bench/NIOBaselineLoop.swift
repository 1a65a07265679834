import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The same Start request sent by bare SwiftNIO channels that send the next request as soon as an answer
/// ends, without Swift concurrency: the most any NIO-based HTTP/1.1 client could reach here.
struct NIOBaselineLoop {
    var host: String
    var port: Int
    var sessionId: String
    var connections: Int

    /// Runs `connections` channels for `seconds`; returns 2xx answers per second.
    func run(seconds: Int) async throws -> Double {
        let counter = NIOLockedValueBox(0)
        let stopped = NIOLockedValueBox(false)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/disnext/api/v1/CodeTask/Start")
        let body = #"{"codeTaskId": "bench-nio"}"#
        head.headers.add(name: "Host", value: "\(self.host):\(self.port)")
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Accept", value: "application/json")
        head.headers.add(name: "IDS-SESSION-ID", value: self.sessionId)
        head.headers.add(name: "Content-Length", value: String(body.utf8.count))
        let request = head
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        Repeater(head: request, body: body, counter: counter, stopped: stopped)
                    )
                }
            }
        var channels: [any Channel] = []
        for _ in 0..<self.connections { channels.append(try await bootstrap.connect(host: self.host, port: self.port).get()) }
        let started = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        stopped.withLockedValue { $0 = true }
        let count = counter.withLockedValue { $0 }
        let elapsed = (ContinuousClock.now - started).components
        for channel in channels { try? await channel.close() }
        return Double(count) / (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }

    private final class Repeater: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart

        let head: HTTPRequestHead
        let body: String
        let counter: NIOLockedValueBox<Int>
        let stopped: NIOLockedValueBox<Bool>
        var ok = false

        init(head: HTTPRequestHead, body: String, counter: NIOLockedValueBox<Int>, stopped: NIOLockedValueBox<Bool>) {
            self.head = head
            self.body = body
            self.counter = counter
            self.stopped = stopped
        }

        func channelActive(context: ChannelHandlerContext) {
            self.send(context: context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let response): self.ok = response.status == .ok
            case .body: break
            case .end:
                if self.ok { self.counter.withLockedValue { $0 += 1 } }
                if !self.stopped.withLockedValue({ $0 }) { self.send(context: context) }
            }
        }

        private func send(context: ChannelHandlerContext) {
            context.write(self.wrapOutboundOut(.head(self.head)), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: self.body)))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
