import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The production transport: one shared AsyncHTTPClient with keep-alive pooling.
final class AsyncHTTPClientTransport: HTTPTransport {
    /// The largest response body read (Informatica answers are small).
    static let maxBodyBytes = 4 * 1024 * 1024

    private let client: HTTPClient
    private let shutDown = Atomic<Bool>(false)

    /// Creates the shared client from the HTTP settings.
    /// - Throws: When the CA bundle cannot be read as PEM certificates.
    init(settings: HTTPSettings, logger: Logger) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = settings.verifyTLS ? .fullVerification : .none
        if let path = settings.caBundlePath {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(path))]
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(settings.connectTimeout.totalNanoseconds), read: nil),
            connectionPool: .init(
                idleTimeout: .nanoseconds(settings.idleTimeout.totalNanoseconds),
                concurrentHTTP1ConnectionsPerHostSoftLimit: settings.maxConnectionsPerHost
            ),
            proxy: settings.proxy.map { .server(host: $0.host, port: $0.port) },
            decompression: .disabled
        )
        configuration.httpVersion = .automatic
        self.client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: configuration,
            backgroundActivityLogger: logger
        )
    }

    func send(_ request: TransportRequest, logger: Logger) async throws -> TransportResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let deadline = NIODeadline.now() + .nanoseconds(request.timeout.totalNanoseconds)
        do {
            let response = try await self.client.execute(outgoing, deadline: deadline, logger: logger)
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            return TransportResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(body.readableBytesView)
            )
        } catch let error as HTTPClientError {
            throw Self.translate(error)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as NIOTooManyBytesError {
            throw TransportError.connection("response body larger than \(Self.maxBodyBytes) bytes: \(error)")
        } catch {
            throw TransportError.connection(String(describing: type(of: error)) + ": \(error)")
        }
    }

    func shutdown() async throws {
        self.shutDown.store(true, ordering: .relaxed)
        try await self.client.shutdown()
    }

    /// A transport dropped without ``shutdown()`` (an owner that returned early on an error) shuts its
    /// client down in the background instead of letting AsyncHTTPClient end the process.
    deinit {
        guard !self.shutDown.load(ordering: .relaxed) else { return }
        self.client.shutdown { _ in }
    }

    private static func translate(_ error: HTTPClientError) -> TransportError {
        switch error {
        case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout:
            return .timeout(error.shortDescription)
        case .cancelled:
            return .connection("cancelled")
        default:
            return .connection(error.shortDescription)
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var totalNanoseconds: Int64 {
        let parts = self.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
