import Testing
import Foundation
import Logging

@testable import InformaticaClient

/// Builders and waits shared by the transport tests.
enum TransportTestSupport {
    static let logger = Logger(label: "transport-test")

    /// A transport on the default settings changed by `configure`.
    static func transport(_ configure: (inout HTTPSettings) -> Void = { _ in }) throws -> AsyncHTTPClientTransport {
        var settings = HTTPSettings()
        configure(&settings)
        return try AsyncHTTPClientTransport(settings: settings)
    }

    static func get(_ url: String, timeout: Duration = .seconds(5)) -> TransportRequest {
        TransportRequest(method: .get, url: url, headers: [("Accept", "application/json")], body: nil, timeout: timeout)
    }

    static func post(_ url: String, body: String = #"{"codeTaskId":"x"}"#, timeout: Duration = .seconds(5)) -> TransportRequest {
        TransportRequest(
            method: .post,
            url: url,
            headers: [("Content-Type", "application/json")],
            body: Array(body.utf8),
            timeout: timeout
        )
    }

    /// Runs `operation`, which must fail with a ``TransportError``, and returns the error.
    static func failure(_ operation: () async throws -> TransportResponse) async -> TransportError? {
        do {
            let response = try await operation()
            Issue.record("expected a TransportError, got HTTP \(response.status)")
            return nil
        } catch let error as TransportError {
            return error
        } catch {
            Issue.record("expected a TransportError, got \(error)")
            return nil
        }
    }

    /// Waits up to `limit` for `condition`.
    static func eventually(within limit: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
