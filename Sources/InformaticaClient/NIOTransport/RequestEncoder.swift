import NIOCore
import NIOHTTP1

/// Encodes a request (head and body) into one buffer on the caller's thread, so that the event loop
/// only writes it: fewer allocations than `HTTPHeaders` plus NIO's encoder, and less work on the loop.
enum RequestEncoder {
    /// The request line, `Host`, the caller's headers, `Content-Length` with a body, then the body.
    /// - Parameter absoluteForm: Whether the request line carries the absolute URI (plain HTTP through a proxy).
    /// - Throws: ``TransportError`` (`connection_error`) when a header name or value could split the head
    ///   (CR, LF or NUL, or a name that is not a token).
    static func encode(_ request: TransportRequest, target: RequestTarget, absoluteForm: Bool) throws(TransportError) -> ByteBuffer {
        var size = 64 + target.path.utf8.count + target.origin.authority.utf8.count + (request.body?.count ?? 0)
        if absoluteForm { size += 16 + target.origin.authority.utf8.count }
        for (name, value) in request.headers { size += name.utf8.count + value.utf8.count + 4 }
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeString(request.method.rawValue)
        buffer.writeStaticString(" ")
        buffer.writeString(absoluteForm ? target.absoluteURI : target.path)
        buffer.writeStaticString(" HTTP/1.1\r\nHost: ")
        buffer.writeString(target.origin.authority)
        for (name, value) in request.headers {
            guard Self.isToken(name), Self.isFieldValue(value) else {
                throw TransportError.connection("invalid header \(Self.isToken(name) ? name : "name")")
            }
            buffer.writeStaticString("\r\n")
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
        }
        if let body = request.body {
            buffer.writeStaticString("\r\nContent-Length: ")
            buffer.writeString(String(body.count))
            buffer.writeStaticString("\r\n\r\n")
            buffer.writeBytes(body)
        } else {
            buffer.writeStaticString("\r\n\r\n")
        }
        return buffer
    }

    /// A head with just the method, which the response decoder needs to know whether an answer has a body.
    static func methodHead(_ method: TransportRequest.Method) -> HTTPRequestHead {
        method == .post ? Self.postHead : Self.getHead
    }

    private static let postHead = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
    private static let getHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")

    /// RFC 9110 token characters.
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }

    /// No CR, LF or NUL (which would end or corrupt the head).
    private static func isFieldValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}

/// Passes the pre-encoded request bytes to the socket. The connection handler writes the request as a
/// method-only `.head` (seen by the response decoder on its way, dropped here) and one `.body` buffer.
final class EncodedRequestWriter: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .body(.byteBuffer(let bytes)):
            context.write(self.wrapOutboundOut(bytes), promise: promise)
        case .body(.fileRegion):
            promise?.fail(ChannelError.operationUnsupported)
        case .head, .end:
            promise?.succeed()
        }
    }
}
