import NIOSSL
import Synchronization

/// The TLS client context, built on first use (loading the system's trust roots costs time that
/// plain-HTTP clients need not pay); the CA bundle is read up front so that a bad file fails at startup.
final class TLSContextCache: Sendable {
    private let configuration: TLSConfiguration
    private let cached = Mutex<NIOSSLContext?>(nil)

    /// - Throws: When the CA bundle cannot be read as PEM certificates.
    init(settings: HTTPSettings) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = settings.verifyTLS ? .fullVerification : .none
        if let path = settings.caBundlePath {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(path))]
        }
        self.configuration = tls
    }

    /// The shared context.
    func context() throws -> NIOSSLContext {
        try self.cached.withLock { cached throws -> NIOSSLContext in
            if let cached { return cached }
            let made = try NIOSSLContext(configuration: self.configuration)
            cached = made
            return made
        }
    }
}
