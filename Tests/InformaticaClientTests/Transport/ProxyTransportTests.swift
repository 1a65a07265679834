import Foundation
import InformaticaSimulator
import NIOCore
import Testing

@testable import InformaticaClient

@Suite("The transport through a proxy and over TLS")
struct ProxyTransportTests {
    typealias Support = TransportTestSupport

    @Test("plain HTTP goes through a CONNECT tunnel; the client works through it against the simulator")
    func plainThroughProxy() async throws {
        let simulator = try await InformaticaSimulator.start(SessionTests.simulatorConfiguration(), logger: Support.logger)
        let proxy = try await TestTunnelProxy.start()
        var configuration = SessionTests.identityConfiguration(simulator)
        configuration.http.proxy = HTTPSettings.Proxy(host: "127.0.0.1", port: proxy.port)
        let client = try InformaticaClient(configuration: configuration, logger: Support.logger)
        #expect(await client.startCodeTask(codeTaskId: "proxied").jobId != nil)
        #expect(simulator.startCalls.count(for: "proxied") == 1)
        let simulatorAuthority = simulator.baseURL.replacingOccurrences(of: "http://", with: "")
        #expect(!proxy.authorities.isEmpty && proxy.authorities.allSatisfy { $0 == simulatorAuthority })
        #expect(proxy.requests.allSatisfy { $0.authorization == nil })
        await client.shutdown()
        try await proxy.shutdown()
        try await simulator.shutdown()
    }

    @Test("https through the tunnel trusts the CA bundle; without it the self-signed certificate is refused, not sent")
    func tlsThroughProxy() async throws {
        let certificate = try TestCertificate.make()
        let server = try await TestHTTPServer.start(tls: try certificate.serverContext()) { _ in .answer(body: ByteBuffer(string: "secure")) }
        let tunnel = try await TestTunnelProxy.start()
        let secure = try Support.transport {
            $0.caBundlePath = certificate.certificatePath
            $0.proxy = HTTPSettings.Proxy(host: "127.0.0.1", port: tunnel.port)
        }
        for _ in 0..<3 { #expect(try await secure.send(Support.get(server.baseURL + "/tls"), logger: Support.logger).body == Array("secure".utf8)) }
        #expect(tunnel.authorities == ["localhost:\(server.port)"], "one tunnel, kept alive")
        try await secure.shutdown()

        let direct = try Support.transport { $0.caBundlePath = certificate.certificatePath }
        #expect(try await direct.send(Support.post(server.baseURL + "/tls"), logger: Support.logger).body == Array("secure".utf8))
        try await direct.shutdown()

        let untrusting = try Support.transport()
        let refused = await Support.failure { try await untrusting.send(Support.get(server.baseURL + "/tls"), logger: Support.logger) }
        #expect(refused?.stage == .notSent, "\(String(describing: refused))")
        try await untrusting.shutdown()
        try await tunnel.shutdown()
        try await server.shutdown()
    }

    @Test("proxy authentication: the credentials go as Basic Proxy-Authorization; a refusal is not sent and not echoed")
    func proxyAuthentication() async throws {
        let password = "pr0xy-\(UUID().uuidString)"
        let expected = "Basic " + Data("svc-proxy:\(password)".utf8).base64EncodedString()
        let server = try await TestHTTPServer.start { _ in .answer() }
        let proxy = try await TestTunnelProxy.start(requiredAuthorization: expected)

        let authenticated = try Support.transport {
            $0.proxy = HTTPSettings.Proxy(host: "127.0.0.1", port: proxy.port, credentials: .init(username: "svc-proxy", password: Secret(password)))
        }
        #expect(try await authenticated.send(Support.post(server.baseURL + "/through"), logger: Support.logger).status == 200)
        #expect(proxy.requests.map(\.authorization) == [expected])
        #expect(server.received.map(\.uri) == ["/through"])
        try await authenticated.shutdown()

        for credentials in [nil, HTTPSettings.ProxyCredentials(username: "svc-proxy", password: Secret("wrong-\(password)"))] {
            let refusedTransport = try Support.transport { $0.proxy = HTTPSettings.Proxy(host: "127.0.0.1", port: proxy.port, credentials: credentials) }
            let refused = await Support.failure { try await refusedTransport.send(Support.post(server.baseURL + "/refused"), logger: Support.logger) }
            #expect(refused?.stage == .notSent)
            #expect(refused?.code == "connection_error")
            #expect(refused.map { !$0.description.contains(password) } == true)
            try await refusedTransport.shutdown()
        }
        #expect(server.received.map(\.uri) == ["/through"], "nothing passed the refusing proxy")
        try await proxy.shutdown()
        try await server.shutdown()
    }
}
