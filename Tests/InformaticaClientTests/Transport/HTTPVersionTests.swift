import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Testing

@testable import InformaticaClient

@Suite("HTTPS to a server that offers HTTP/2: the client keeps to HTTP/1.1", .timeLimit(.minutes(1)))
struct HTTPVersionTests {
    typealias Support = TransportTestSupport

    /// Issue 22: the protection that keeps a broken `200` from being sent again hooks HTTP/1.1 connections only,
    /// while AsyncHTTPClient would take HTTP/2 when a TLS server offers it. The client pins HTTP/1.1: against a
    /// server offering `h2` first, ALPN settles on `http/1.1`, and a `200` whose head breaks is answered (status
    /// 200), not a failure that could be sent again.
    @Test("TLS with h2 offered first: ALPN settles on http/1.1 and a 200 whose head breaks counts as answered")
    func brokenHeadOverTLSWithHTTP2Offered() async throws {
        let certificate = try TestCertificate.make()
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate.certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificate.keyPath, format: .pem)))
        tls.applicationProtocols = ["h2", "http/1.1"]
        let context = try NIOSSLContext(configuration: tls)
        let negotiated = NIOLockedValueBox<[String]>([])
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(BrokenHeadResponder(negotiated: negotiated))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let transport = try Support.transport { $0.caBundlePath = certificate.certificatePath }
        let failure = await Support.failure {
            try await transport.send(Support.post("https://localhost:\(server.localAddress!.port!)/start"), logger: Support.logger)
        }
        try await transport.shutdown()
        try await server.close()
        #expect(negotiated.withLockedValue { $0 } == ["http/1.1"], "the client took another protocol")
        guard case .answered(let status, _) = failure?.stage else {
            Issue.record("a broken 200 over TLS was not counted as answered: \(String(describing: failure))")
            return
        }
        #expect(status == 200)
    }
}

/// Records the protocol ALPN settled on, and answers the first request with a `200` whose head breaks (a header
/// line without a colon).
private final class BrokenHeadResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let negotiated: NIOLockedValueBox<[String]>
    private let answered = NIOLockedValueBox(false)

    init(negotiated: NIOLockedValueBox<[String]>) {
        self.negotiated = negotiated
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let chosen) = event {
            self.negotiated.withLockedValue { $0.append(chosen ?? "none") }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let first = self.answered.withLockedValue { answered in
            defer { answered = true }
            return !answered
        }
        guard first else { return }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nthis line breaks the head\r\n\r\n{}"
        context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: head)), promise: nil)
    }
}
