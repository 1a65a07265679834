import Foundation
import Logging

/// One HTTP request as the client builds it.
struct TransportRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    var method: Method
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]?
    var timeout: Duration
}

/// One HTTP response with its whole body.
struct TransportResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    /// The first value of a header, compared case-insensitively.
    func header(_ name: String) -> String? {
        self.headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// Why no response arrived.
struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `timeout` or `connection_error`.
    var code: String
    /// What the HTTP layer said (never contains headers or bodies).
    var message: String

    static func timeout(_ message: String) -> TransportError { TransportError(code: "timeout", message: message) }
    static func connection(_ message: String) -> TransportError { TransportError(code: "connection_error", message: message) }

    var description: String { "\(self.code): \(self.message)" }
}

/// Sends HTTP requests; the real one is ``NIOHTTPTransport``, tests use scripted fakes.
protocol HTTPTransport: Sendable {
    /// Sends a request and reads the whole response.
    /// - Throws: ``TransportError`` when no response arrived, `CancellationError` when cancelled.
    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse

    /// Closes pooled connections.
    func shutdown() async throws
}
