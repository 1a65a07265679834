import Foundation
import NIOSSL

/// A self-signed certificate for `localhost`, made with the `openssl` command for the TLS tests.
struct TestCertificate {
    /// The PEM file of the certificate (also the CA bundle that trusts it).
    let certificatePath: String
    /// The PEM file of its private key.
    let keyPath: String

    /// Makes a fresh certificate in a temporary directory.
    /// - Throws: When `openssl` (installed by `scripts/bootstrap`) is missing or fails: the TLS tests fail
    ///   loudly rather than skip.
    static func make() throws -> TestCertificate {
        guard let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw CertificateError(message: "the openssl command is missing; run scripts/bootstrap")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("transport-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", key, "-out", certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CertificateError(message: "openssl req exited with status \(process.terminationStatus)")
        }
        return TestCertificate(certificatePath: certificate, keyPath: key)
    }

    /// A server context presenting the certificate.
    func serverContext() throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(self.certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: self.keyPath, format: .pem))
        )
        return try NIOSSLContext(configuration: configuration)
    }
}

/// Why no test certificate could be made.
struct CertificateError: Error, CustomStringConvertible {
    let message: String
    var description: String { self.message }
}
