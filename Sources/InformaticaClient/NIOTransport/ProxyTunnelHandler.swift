import NIOCore

/// Asks an HTTP proxy for a tunnel (`CONNECT host:port`) and waits for its 2xx answer; it is removed
/// once the tunnel stands, before TLS starts.
final class ProxyTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The largest proxy answer head read.
    private static let maxHeadBytes = 16 * 1024

    private let authority: String
    private let promise: EventLoopPromise<Void>
    private var received: ByteBuffer?
    private var done = false

    private init(authority: String, promise: EventLoopPromise<Void>) {
        self.authority = authority
        self.promise = promise
    }

    /// Opens a tunnel to `authority` on a fresh proxy connection and removes the handler again.
    /// - Throws: ``TransportError``: `timeout` past `deadline`, `connection_error` when the proxy refuses.
    static func open(on channel: any Channel, authority: String, deadline: NIODeadline) async throws {
        let eventLoop = channel.eventLoop
        try await eventLoop.flatSubmit {
            let promise = eventLoop.makePromise(of: Void.self)
            let handler = ProxyTunnelHandler(authority: authority, promise: promise)
            let timeout = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
                handler.finish(TransportError.timeout("the proxy did not open the tunnel in time"))
            }
            do {
                try channel.pipeline.syncOperations.addHandler(handler)
            } catch {
                handler.finish(TransportError.connection(HTTPConnectionHandler.describe(error)))
            }
            return promise.futureResult.assumeIsolated().map {
                timeout.cancel()
                channel.pipeline.syncOperations.removeHandler(handler).assumeIsolated().whenComplete { _ in }
            }.nonisolated()
        }.get()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        var request = context.channel.allocator.buffer(capacity: 64 + 2 * self.authority.utf8.count)
        request.writeString("CONNECT \(self.authority) HTTP/1.1\r\nHost: \(self.authority)\r\n\r\n")
        context.writeAndFlush(self.wrapOutboundOut(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.done else { return }
        var part = self.unwrapInboundIn(data)
        if self.received == nil { self.received = part } else { self.received!.writeBuffer(&part) }
        guard let received = self.received else { return }
        let bytes = received.readableBytesView
        guard let end = Self.headEnd(bytes) else {
            if bytes.count > Self.maxHeadBytes { self.finish(TransportError.connection("the proxy's answer head is too large")) }
            return
        }
        let statusLine = String(decoding: bytes[bytes.startIndex..<end].prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let fields = statusLine.split(separator: " ", maxSplits: 2)
        if fields.count >= 2, fields[0].hasPrefix("HTTP/1."), let status = Int(fields[1]), (200..<300).contains(status) {
            self.finish(nil)
        } else {
            self.finish(TransportError.connection("the proxy refused the tunnel: \(statusLine.prefix(100))"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(TransportError.connection("the proxy closed the connection before opening the tunnel"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(TransportError.connection(HTTPConnectionHandler.describe(error)))
        context.close(promise: nil)
    }

    private func finish(_ error: TransportError?) {
        guard !self.done else { return }
        self.done = true
        if let error { self.promise.fail(error) } else { self.promise.succeed() }
    }

    /// The index just past the blank line that ends the answer's head.
    private static func headEnd(_ bytes: ByteBufferView) -> ByteBufferView.Index? {
        let crlfcrlf: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4 else { return nil }
        var index = bytes.startIndex
        while index + 4 <= bytes.endIndex {
            if bytes[index..<index + 4].elementsEqual(crlfcrlf) { return index + 4 }
            index += 1
        }
        return nil
    }
}
