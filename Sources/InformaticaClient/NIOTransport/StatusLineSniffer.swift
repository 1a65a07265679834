import NIOCore

/// Reads the status code off the first bytes of each answer before the HTTP decoder sees them, so that an
/// answer whose head breaks after `HTTP/1.1 200` (thousands of headers, a malformed header line) is still
/// known to have been answered with that status. Passes every byte on unchanged.
final class StatusLineSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// `HTTP/1.1 200` is 12 bytes.
    private static let prefixLength = 12

    private var prefix: [UInt8] = []
    /// The status of the answer in progress once its status line's code was read (1xx included).
    private(set) var status: Int?

    /// Starts watching for the next answer (called when a request is written).
    func reset() {
        self.prefix.removeAll(keepingCapacity: true)
        self.status = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        if self.status == nil, buffer.readableBytes > 0 {
            let wanted = Self.prefixLength - self.prefix.count
            if let bytes = buffer.getBytes(at: buffer.readerIndex, length: min(wanted, buffer.readableBytes)) {
                self.prefix.append(contentsOf: bytes)
            }
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
