import NIOCore
import NIOHTTP1

/// Keeps the status of an HTTP/1.1 answer whose head breaks before AsyncHTTPClient's decoder delivers it
/// (more header bytes than NIO's decoder takes, a malformed header line): the decoder's error is replaced by
/// ``AnswerHeadBroken`` with the status read off the answer's first bytes, so that a broken `200` still
/// counts as answered and Start is not sent again.
///
/// Installed on each new connection through AsyncHTTPClient's connection initializer: a
/// ``StatusLineSniffer`` before the response decoder and a ``BrokenHeadMarker`` after it.
enum AnswerHeadWatch {
    /// Adds the two handlers around the connection's response decoder.
    static func install(on channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.submit {
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self)
            let sniffer = StatusLineSniffer()
            try operations.addHandler(sniffer, position: .before(decoder))
            try operations.addHandler(BrokenHeadMarker(sniffer: sniffer), position: .after(decoder))
        }
    }
}

/// An answer whose status line arrived and whose head then broke.
struct AnswerHeadBroken: Error, CustomStringConvertible {
    /// The status of the status line.
    var status: Int
    /// What the HTTP decoder said.
    var reason: String

    var description: String { "the head of the HTTP \(self.status) answer broke: \(self.reason)" }
}

/// Reads the status code off the first bytes of each answer before the HTTP decoder sees them; passes every
/// byte on unchanged.
final class StatusLineSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// `HTTP/1.1 200` is 12 bytes.
    private static let prefixLength = 12

    private var prefix: [UInt8] = []
    /// The status of the answer in progress once its status line's code was read (1xx included).
    private(set) var status: Int?

    /// Starts watching for the next answer.
    func reset() {
        self.prefix.removeAll(keepingCapacity: true)
        self.status = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        if self.status == nil, self.prefix.count < Self.prefixLength, buffer.readableBytes > 0 {
            let wanted = Self.prefixLength - self.prefix.count
            self.prefix.append(contentsOf: buffer.readableBytesView.prefix(wanted))
            if self.prefix.count == Self.prefixLength { self.status = Self.parseStatus(self.prefix) }
        }
        context.fireChannelRead(data)
    }

    /// The code of `HTTP/1.x NNN`, or `nil` when the bytes are not a status line.
    static func parseStatus(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= Self.prefixLength, bytes.starts(with: Array("HTTP/1.".utf8)), bytes[8] == UInt8(ascii: " ") else {
            return nil
        }
        var code = 0
        for byte in bytes[9..<12] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return code
    }
}

/// Sits after the HTTP decoder: restarts the sniffer after each answer (and after a 1xx head, whose real
/// answer follows), and turns a decoder error that came before the head of a final answer was decoded
/// into ``AnswerHeadBroken``.
final class BrokenHeadMarker: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    private let sniffer: StatusLineSniffer
    private var headDecoded = false

    init(sniffer: StatusLineSniffer) {
        self.sniffer = sniffer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head) where head.status.code < 200:
            self.sniffer.reset()
        case .head:
            self.headDecoded = true
        case .body:
            break
        case .end:
            self.headDecoded = false
            self.sniffer.reset()
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !self.headDecoded, error is HTTPParserError, let status = self.sniffer.status, status >= 200 {
            context.fireErrorCaught(AnswerHeadBroken(status: status, reason: "\(error)"))
        } else {
            context.fireErrorCaught(error)
        }
    }
}
