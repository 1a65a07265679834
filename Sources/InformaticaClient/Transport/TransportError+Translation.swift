import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

extension TransportError {
    /// The transport error for `error`, thrown by AsyncHTTPClient or by the response reader, with the stage
    /// the exchange reached. Errors that can only happen before anything is written (connecting, DNS, the
    /// proxy tunnel, the TLS handshake, no connection in time) are never sent whatever the progress says.
    /// - Parameters:
    ///   - deadlinePassed: The request's own deadline ended it.
    static func translating(_ error: any Error, progress: ExchangeProgress, deadlinePassed: Bool) -> TransportError {
        var stage = Self.isBeforeWriting(error) ? .notSent : progress.stage
        if let broken = error as? AnswerHeadBroken, case .sent = stage {
            stage = .answered(status: broken.status, partialBody: [])
        }
        if deadlinePassed || Self.isTimeout(error) {
            return .timeout(Self.timeoutMessage(error, stage: stage), stage: stage)
        }
        if var transportError = error as? TransportError {
            transportError.stage = stage
            return transportError
        }
        return .connection(Self.describe(error), stage: stage)
    }

    /// Whether `error` says no byte of the request can have been written.
    private static func isBeforeWriting(_ error: any Error) -> Bool {
        switch error {
        case let error as HTTPClientError:
            // Header validation errors carry the names or values: compared by their fixed short description.
            return Self.beforeWriting.contains(error) || Self.invalidHeaders.contains(error.shortDescription)
        case is NIOConnectionError:
            return true
        case ChannelError.connectTimeout:
            return true
        case let error as IOError:
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode)
        case NIOSSLError.handshakeFailed:
            return true
        default:
            return false
        }
    }

    /// AsyncHTTPClient's errors of connection set-up and request validation.
    private static let beforeWriting: [HTTPClientError] = [
        .connectTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout,
        .proxyAuthenticationRequired, .invalidProxyResponse, .getConnectionFromPoolTimeout, .alreadyShutdown,
        .invalidURL, .emptyHost, .emptyScheme,
    ]

    private static let invalidHeaders: Set<String> = [
        HTTPClientError.invalidHeaderFieldNames([]).shortDescription, HTTPClientError.invalidHeaderFieldValues([]).shortDescription,
    ]

    private static func isTimeout(_ error: any Error) -> Bool {
        switch error {
        case let error as HTTPClientError:
            return [.connectTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout,
                .getConnectionFromPoolTimeout, .deadlineExceeded, .readTimeout, .writeTimeout].contains(error)
        case ChannelError.connectTimeout:
            return true
        default:
            return (error as? TransportError)?.code == "timeout"
        }
    }

    private static func timeoutMessage(_ error: any Error, stage: Stage) -> String {
        if case ChannelError.connectTimeout = error { return "connect timed out" }
        switch error as? HTTPClientError {
        case .connectTimeout?: return "connect timed out"
        case .tlsHandshakeTimeout?: return "the TLS handshake timed out"
        case .httpProxyHandshakeTimeout?: return "the proxy did not open the tunnel in time"
        default:
            return stage == .notSent
                ? "no connection before the request's deadline" : "no complete answer before the request's deadline"
        }
    }

    /// A short description of an error, without headers or bodies.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? HTTPClientError else { return String(describing: type(of: error)) + ": \(error)" }
        switch error {
        case .remoteConnectionClosed: return "the server closed the connection before the answer ended"
        case .proxyAuthenticationRequired: return "the proxy refused the credentials (407)"
        case .invalidProxyResponse: return "the proxy refused the tunnel"
        case .alreadyShutdown: return "the HTTP transport is shut down"
        default: return "HTTP client: \(error.shortDescription)"  // never header names or values
        }
    }
}
