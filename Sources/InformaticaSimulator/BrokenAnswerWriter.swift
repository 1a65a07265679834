import NIOCore
import NIOHTTP1
import NIOPosix

/// Writes a ``BrokenAnswer`` as raw bytes, below the HTTP encoder (from its context), so that the answer
/// can be anything a broken server or network produces.
enum BrokenAnswerWriter {
    /// Writes `kind` for the successful answer `body` on `context`'s channel.
    static func write(_ kind: BrokenAnswer, body: [UInt8], context: ChannelHandlerContext) {
        guard let raw = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) else {
            context.close(promise: nil)
            return
        }
        let channel = context.channel
        let half = Array(body.prefix(body.count / 2))
        let rest = Array(body.dropFirst(body.count / 2))
        func send(_ bytes: [UInt8]) -> EventLoopFuture<Void> {
            raw.writeAndFlush(NIOAny(channel.allocator.buffer(bytes: bytes)))
        }
        let json = "Content-Type: application/json\r\n"
        switch kind {
        case .shortBody:
            let head = "HTTP/1.1 200 OK\r\n\(json)Content-Length: \(body.count + 100)\r\n\r\n"
            send(Array(head.utf8) + body).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .resetMidBody:
            let head = "HTTP/1.1 200 OK\r\n\(json)Content-Length: \(body.count)\r\n\r\n"
            send(Array(head.utf8) + half).assumeIsolated().whenComplete { _ in
                // SO_LINGER 0: close sends a reset instead of a FIN.
                let reset = (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                    ?? channel.eventLoop.makeSucceededVoidFuture()
                reset.whenComplete { _ in channel.close(promise: nil) }
            }
        case .malformedChunk:
            let head = "HTTP/1.1 200 OK\r\n\(json)Transfer-Encoding: chunked\r\n\r\n"
            let first = String(half.count, radix: 16) + "\r\n"
            send(Array(head.utf8) + Array(first.utf8) + half + Array("\r\nzz\r\n".utf8) + rest)
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .hugeBody:
            let head = "HTTP/1.1 200 OK\r\n\(json)Content-Length: \(BrokenAnswer.hugeBodyBytes)\r\n\r\n"
            _ = send(Array(head.utf8))
            let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 1024 * 1024)
            for _ in 0..<(BrokenAnswer.hugeBodyBytes / chunk.count) {
                guard channel.isActive else { break }
                raw.write(NIOAny(channel.allocator.buffer(bytes: chunk)), promise: nil)
            }
            raw.flush()
        case .manyHeaders:
            var head = "HTTP/1.1 200 OK\r\n\(json)Content-Length: \(body.count)\r\n"
            head.reserveCapacity(BrokenAnswer.manyHeadersCount * 24)
            for index in 0..<BrokenAnswer.manyHeadersCount { head += "X-Filler-\(index): x\r\n" }
            send(Array((head + "\r\n").utf8) + body).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .slowBody:
            let head = "HTTP/1.1 200 OK\r\n\(json)Content-Length: \(body.count)\r\n\r\n"
            _ = send(Array(head.utf8) + half)
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(BrokenAnswer.slowBodyDelaySeconds)) {
                if channel.isActive { _ = send(rest) }
            }
        case .stallAfterRequest:
            break
        }
    }
}
