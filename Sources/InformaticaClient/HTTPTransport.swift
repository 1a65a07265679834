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

/// Why no complete response arrived.
struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How far the exchange got before it broke: what the service may have done with the request.
    enum Stage: Sendable, Hashable {
        /// Nothing was written (connect failed, no connection free, the pooled one was closed): never sent.
        case notSent
        /// The request was written (or may have been) and no status line came back.
        case sent
        /// A status line arrived, then the answer broke; carries the status and the first body bytes read.
        case answered(status: Int, partialBody: [UInt8])
    }

    /// `timeout` or `connection_error`.
    var code: String
    /// What the HTTP layer said (never contains headers or bodies).
    var message: String
    /// How far the exchange got.
    var stage: Stage = .notSent

    /// The most body bytes a broken answer keeps for the report.
    static let partialBodyLimit = 1024

    static func timeout(_ message: String, stage: Stage = .notSent) -> TransportError {
        TransportError(code: "timeout", message: message, stage: stage)
    }

    static func connection(_ message: String, stage: Stage = .notSent) -> TransportError {
        TransportError(code: "connection_error", message: message, stage: stage)
    }

    var description: String { "\(self.code): \(self.message)" }
}

/// Sends HTTP requests; the real one is ``AsyncHTTPClientTransport``, tests use scripted fakes.
protocol HTTPTransport: Sendable {
    /// Sends a request and reads the whole response.
    /// - Throws: ``TransportError`` when no complete response arrived (its stage says whether the request
    ///   was written and whether a status line came back), `CancellationError` when cancelled.
    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse

    /// Closes pooled connections.
    func shutdown() async throws
}
