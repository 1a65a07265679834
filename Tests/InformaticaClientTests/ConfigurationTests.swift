import KafkaTestSupport
import Foundation
import Testing

@testable import InformaticaClient

@Suite("Configuration")
struct ConfigurationTests {
    @Test("validation names the offending setting")
    func validation() {
        var configuration = TestClients.fixedConfiguration()
        configuration.retry.maxAttempts = 0
        #expect(throws: ConfigurationError(setting: "retry.maxAttempts", message: "must be at least 1")) { try configuration.validate() }
        configuration = TestClients.fixedConfiguration()
        configuration.rateLimit = RateLimitSettings(startsPerSecond: 0)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = InformaticaConfiguration(
            session: .v3(loginURL: "dm-us.informaticacloud.com", credentials: Credentials(username: "u", password: "p"))
        )
        do {
            try configuration.validate()
            Issue.record("expected a validation error")
        } catch {
            #expect(error.setting == "session.loginURL")
        }
        configuration = InformaticaConfiguration(
            session: .identityService(loginURL: "https://a", serverURL: "https://b", credentials: Credentials(username: "u", password: ""))
        )
        #expect(throws: ConfigurationError(setting: "session.credentials.password", message: "must not be empty")) {
            try configuration.validate()
        }
        #expect(throws: Never.self) { try TestClients.fixedConfiguration().validate() }
    }

    @Test("descriptions redact the password and the session id")
    func redaction() {
        let password = "hunter2-PASSWORD"
        let v3 = InformaticaConfiguration(
            session: .v3(
                loginURL: "https://dm-us.informaticacloud.com",
                credentials: Credentials(username: "svc", password: Secret(password))
            )
        )
        let fixed = TestClients.fixedConfiguration()
        for text in ["\(v3)", "\(fixed)", String(reflecting: v3), String(reflecting: fixed)] {
            #expect(!text.contains(password))
            #expect(!text.contains(TestClients.sessionId))
        }
        #expect("\(v3)".contains("svc"))
        #expect("\(Secret("x"))" == "<redacted>")
        var dumped = ""
        dump(fixed, to: &dumped)
        #expect(!dumped.contains(TestClients.sessionId))
    }
}

@Suite("HTTP settings")
struct HTTPSettingsTests {
    @Test("a missing CA bundle is refused by validation; a bad PEM file by the client's initializer")
    func caBundle() throws {
        var configuration = TestClients.fixedConfiguration()
        configuration.http.caBundlePath = "/nonexistent/ca.pem"
        do {
            try configuration.validate()
            Issue.record("expected a validation error")
        } catch {
            #expect(error.setting == "http.caBundlePath")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-cert-\(UUID().uuidString).pem").path
        try "not a certificate".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        configuration.http.caBundlePath = path
        #expect(throws: (any Error).self) { _ = try InformaticaClient(configuration: configuration, logger: LogCapture().logger()) }
    }

    @Test("defaults: TLS verification on, no proxy, no rate limit, breaker on")
    func defaults() {
        let configuration = TestClients.fixedConfiguration()
        #expect(configuration.http.verifyTLS)
        #expect(configuration.http.proxy == nil)
        #expect(configuration.rateLimit == nil)
        #expect(configuration.circuitBreaker.isEnabled)
        var proxied = configuration
        proxied.http.proxy = HTTPSettings.Proxy(host: "proxy.example", port: 0)
        #expect(throws: ConfigurationError.self) { try proxied.validate() }
    }
}
