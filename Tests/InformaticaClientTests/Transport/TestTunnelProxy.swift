import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A tiny CONNECT proxy for transport tests: reads `CONNECT host:port`, checks its `Proxy-Authorization`
/// when it requires one (answering 407 to a missing or wrong one), connects there, answers 200 and then
/// copies bytes both ways. It records the authorities it was asked for and the authorizations it got.
final class TestTunnelProxy: Sendable {
    /// One CONNECT request.
    struct Tunnel: Sendable, Equatable {
        /// The `host:port` asked for.
        var authority: String
        /// The `Proxy-Authorization` header, if any.
        var authorization: String?
    }

    let port: Int
    private let channel: any Channel
    private let tunnels: NIOLockedValueBox<[Tunnel]>

    private init(port: Int, channel: any Channel, tunnels: NIOLockedValueBox<[Tunnel]>) {
        self.port = port
        self.channel = channel
        self.tunnels = tunnels
    }

    /// Starts the proxy on a free port of 127.0.0.1.
    /// - Parameter requiredAuthorization: The `Proxy-Authorization` value a tunnel needs, if any.
    static func start(requiredAuthorization: String? = nil) async throws -> TestTunnelProxy {
        let tunnels = NIOLockedValueBox<[Tunnel]>([])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectReader(tunnels: tunnels, required: requiredAuthorization))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestTunnelProxy(port: channel.localAddress!.port!, channel: channel, tunnels: tunnels)
    }

    /// The `host:port` of every CONNECT so far.
    var authorities: [String] { self.tunnels.withLockedValue { $0.map(\.authority) } }

    /// Every CONNECT so far.
    var requests: [Tunnel] { self.tunnels.withLockedValue { $0 } }

    func shutdown() async throws {
        try await self.channel.close()
    }

    /// Reads the CONNECT head, opens the tunnel and glues the two channels.
    private final class ConnectReader: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let tunnels: NIOLockedValueBox<[Tunnel]>
        let required: String?
        var received = ByteBuffer()

        init(tunnels: NIOLockedValueBox<[Tunnel]>, required: String?) {
            self.tunnels = tunnels
            self.required = required
        }

        /// The value of the head's `Proxy-Authorization` field.
        static func authorization(in head: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "proxy-authorization" else { continue }
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var part = self.unwrapInboundIn(data)
            self.received.writeBuffer(&part)
            let text = String(buffer: self.received)
            guard text.contains("\r\n\r\n") else { return }
            let fields = text.split(separator: " ", maxSplits: 2)
            guard fields.count >= 2, fields[0] == "CONNECT", let colon = fields[1].lastIndex(of: ":"),
                let port = Int(fields[1][fields[1].index(after: colon)...])
            else {
                context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 405 Method Not Allowed\r\n\r\n")), promise: nil)
                context.close(promise: nil)
                return
            }
            let host = String(fields[1][..<colon])
            let authorization = Self.authorization(in: text)
            self.tunnels.withLockedValue { $0.append(Tunnel(authority: String(fields[1]), authorization: authorization)) }
            if let required = self.required, authorization != required {
                let refusal = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n"
                context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: refusal)), promise: nil)
                context.close(promise: nil)
                return
            }
            let client = context.channel
            let connected = ClientBootstrap(group: context.eventLoop).connect(host: host, port: port)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            connected.whenComplete { result in
                let (reader, context) = loopBound.value
                switch result {
                case .failure:
                    context.writeAndFlush(reader.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 502 Bad Gateway\r\n\r\n")), promise: nil)
                    context.close(promise: nil)
                case .success(let upstream):
                    upstream.eventLoop.execute {
                        try? upstream.pipeline.syncOperations.addHandler(Glue(partner: client))
                    }
                    context.writeAndFlush(reader.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")), promise: nil)
                    try? context.pipeline.syncOperations.addHandler(Glue(partner: upstream))
                    context.pipeline.syncOperations.removeHandler(reader, promise: nil)
                }
            }
        }
    }

    /// Copies what one channel reads to its partner and closes the partner with it.
    private final class Glue: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let partner: any Channel

        init(partner: any Channel) {
            self.partner = partner
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.partner.writeAndFlush(self.unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.partner.close(promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
