import Foundation
import InformaticaSimulator
import Logging
import NIOCore
import Synchronization
import Testing

@testable import InformaticaClient

@Suite("The NIO HTTP transport")
struct NIOHTTPTransportTests {
    static let logger = Logger(label: "transport-test")

    static func transport(_ configure: (inout HTTPSettings) -> Void = { _ in }) throws -> NIOHTTPTransport {
        var settings = HTTPSettings()
        configure(&settings)
        return try NIOHTTPTransport(settings: settings)
    }

    static func get(_ url: String, timeout: Duration = .seconds(5)) -> TransportRequest {
        TransportRequest(method: .get, url: url, headers: [("Accept", "application/json")], body: nil, timeout: timeout)
    }

    @Test("URLs parse into origin and path")
    func targets() throws {
        let plain = try RequestTarget(url: "http://127.0.0.1:8089/disnext/api/v1/CodeTask/Start")
        #expect(plain.origin == RequestTarget.Origin(secure: false, host: "127.0.0.1", port: 8089))
        #expect(plain.path == "/disnext/api/v1/CodeTask/Start")
        let secure = try RequestTarget(url: "HTTPS://usw3.dm-us.informaticacloud.com?x=1#frag")
        #expect(secure.origin == RequestTarget.Origin(secure: true, host: "usw3.dm-us.informaticacloud.com", port: 443))
        #expect(secure.path == "/?x=1")
        #expect(secure.origin.authority == "usw3.dm-us.informaticacloud.com")
        let six = try RequestTarget(url: "http://[::1]:9000/a")
        #expect(six.origin.host == "::1" && six.origin.authority == "[::1]:9000" && six.origin.hostIsIPAddress)
        #expect(six.absoluteURI == "http://[::1]:9000/a")
        #expect(throws: TransportError.self) { try RequestTarget(url: "ftp://host/x") }
        #expect(throws: TransportError.self) { try RequestTarget(url: "http://host:99999/x") }
    }

    @Test("the request is encoded in one buffer; headers that could split the head are refused")
    func encoding() throws {
        let target = try RequestTarget(url: "http://127.0.0.1:8089/disnext/api/v1/CodeTask/Start")
        let request = TransportRequest(
            method: .post,
            url: "http://127.0.0.1:8089/disnext/api/v1/CodeTask/Start",
            headers: [("Content-Type", "application/json"), ("IDS-SESSION-ID", "abc")],
            body: Array(#"{"codeTaskId": "x"}"#.utf8),
            timeout: .seconds(1)
        )
        let encoded = try RequestEncoder.encode(request, target: target, absoluteForm: false)
        #expect(
            String(buffer: encoded)
                == "POST /disnext/api/v1/CodeTask/Start HTTP/1.1\r\nHost: 127.0.0.1:8089\r\nContent-Type: application/json\r\n"
                + "IDS-SESSION-ID: abc\r\nContent-Length: 19\r\n\r\n{\"codeTaskId\": \"x\"}"
        )
        let proxied = try RequestEncoder.encode(Self.get("http://h/a?b"), target: RequestTarget(url: "http://h/a?b"), absoluteForm: true)
        #expect(String(buffer: proxied) == "GET http://h/a?b HTTP/1.1\r\nHost: h\r\nAccept: application/json\r\n\r\n")
        var injected = request
        injected.headers.append(("traceparent", "00-x\r\nX-Injected: 1"))
        #expect(throws: TransportError.connection("invalid header traceparent")) {
            try RequestEncoder.encode(injected, target: target, absoluteForm: false)
        }
        injected.headers = [("Bad Name", "v")]
        #expect(throws: TransportError.connection("invalid header name")) {
            try RequestEncoder.encode(injected, target: target, absoluteForm: false)
        }
    }

    @Test("sequential requests reuse one keep-alive connection; the client runs over it against the simulator")
    func keepAlive() async throws {
        let server = try await TestHTTPServer.start { _ in .answer() }
        let transport = try Self.transport()
        for _ in 0..<20 {
            let response = try await transport.send(Self.get(server.baseURL + "/ping"), logger: Self.logger)
            #expect(response.status == 200 && response.body == Array("{}".utf8))
        }
        #expect(server.connections.accepted == 1)
        #expect(server.received.allSatisfy { $0.headers["Host"] == ["127.0.0.1:\(server.port)"] && $0.uri == "/ping" })
        try await transport.shutdown()
        try await server.shutdown()

        let simulator = try await InformaticaSimulator.start(SessionTests.simulatorConfiguration(), logger: Self.logger)
        let client = try InformaticaClient(configuration: SessionTests.identityConfiguration(simulator), logger: Self.logger)
        for index in 0..<10 { #expect(await client.startCodeTask(codeTaskId: "keep-\(index)").jobId != nil) }
        #expect(simulator.startCalls.count(for: "keep-3") == 1)
        await client.shutdown()
        try await simulator.shutdown()
    }

    @Test("concurrent requests open at most maxConnectionsPerHost connections")
    func connectionLimit() async throws {
        let server = try await TestHTTPServer.start { _ in
            try? await Task.sleep(for: .milliseconds(20))
            return .answer()
        }
        let transport = try Self.transport { $0.maxConnectionsPerHost = 3 }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            // A generous deadline: on a loaded machine 30 requests queued behind 3 connections can take seconds.
            for _ in 0..<30 {
                group.addTask { try await transport.send(Self.get(server.baseURL + "/slow", timeout: .seconds(60)), logger: Self.logger).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 30))
        #expect(server.connections.mostOpen <= 3)
        #expect(server.connections.accepted == 3)
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test("a slow answer times out, also while waiting for a connection; the next request works")
    func timeouts() async throws {
        let server = try await TestHTTPServer.start { request in
            if request.uri == "/slow" { try? await Task.sleep(for: .seconds(10)) }
            return .answer()
        }
        let transport = try Self.transport { $0.maxConnectionsPerHost = 1 }
        let started = ContinuousClock.now
        await #expect(throws: TransportError.timeout("no complete answer before the request's deadline", stage: .sent)) {
            try await transport.send(Self.get(server.baseURL + "/slow", timeout: .milliseconds(150)), logger: Self.logger)
        }
        #expect(ContinuousClock.now - started < .seconds(8), "the 150 ms timeout did not cut the 10 s answer short")
        #expect(try await transport.send(Self.get(server.baseURL + "/fast"), logger: Self.logger).status == 200)

        // The only connection is busy: the second request times out waiting for it.
        let busy = Task { try await transport.send(Self.get(server.baseURL + "/slow", timeout: .seconds(40)), logger: Self.logger) }
        try await Task.sleep(for: .milliseconds(100))
        await #expect(throws: TransportError.timeout("no connection free before the request's deadline")) {
            try await transport.send(Self.get(server.baseURL + "/fast", timeout: .milliseconds(100)), logger: Self.logger)
        }
        #expect(try await busy.value.status == 200)
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test("a cancelled request ends with CancellationError")
    func cancellation() async throws {
        let server = try await TestHTTPServer.start { _ in
            try? await Task.sleep(for: .seconds(2))
            return .answer()
        }
        let transport = try Self.transport()
        let task = Task { try await transport.send(Self.get(server.baseURL + "/slow"), logger: Self.logger) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test("closed and dropped connections: Connection: close and silent closes are replaced, drops are connection errors")
    func closedConnections() async throws {
        let server = try await TestHTTPServer.start { request in
            switch request.uri {
            case "/close": return .answer(close: true)
            case "/silent": return .answer(silentClose: true)
            case "/drop": return .drop
            default: return .answer()
            }
        }
        let transport = try Self.transport()
        for _ in 0..<3 { #expect(try await transport.send(Self.get(server.baseURL + "/close"), logger: Self.logger).status == 200) }
        #expect(server.connections.accepted == 3)
        for _ in 0..<3 {
            #expect(try await transport.send(Self.get(server.baseURL + "/silent"), logger: Self.logger).status == 200)
            try await Task.sleep(for: .milliseconds(50))  // the close arrives while the connection is idle
        }
        #expect(server.connections.accepted == 6)
        await #expect(throws: TransportError.self) {
            do {
                _ = try await transport.send(Self.get(server.baseURL + "/drop"), logger: Self.logger)
            } catch let error as TransportError {
                #expect(error.code == "connection_error")
                throw error
            }
        }
        #expect(try await transport.send(Self.get(server.baseURL + "/ok"), logger: Self.logger).status == 200)
        try await transport.shutdown()
        try await server.shutdown()

        await #expect(throws: TransportError.self) {
            _ = try await Self.transport().send(Self.get(server.baseURL + "/refused"), logger: Self.logger)
        }
    }

    @Test("large request and response bodies arrive whole; bodies over 4 MiB are refused")
    func largeBodies() async throws {
        let server = try await TestHTTPServer.start { request in
            let size = Int(request.uri.dropFirst()) ?? 0
            if size == 0 { return .answer(body: ByteBuffer(string: "\(request.body.readableBytes)")) }
            return .answer(body: ByteBuffer(repeating: UInt8(ascii: "x"), count: size))
        }
        let transport = try Self.transport()
        let big = try await transport.send(Self.get(server.baseURL + "/3000000"), logger: Self.logger)
        #expect(big.body.count == 3_000_000 && big.body.allSatisfy { $0 == UInt8(ascii: "x") })
        let upload = TransportRequest(
            method: .post,
            url: server.baseURL + "/0",
            headers: [("Content-Type", "application/octet-stream")],
            body: Array(repeating: 7, count: 2_000_000),
            timeout: .seconds(5)
        )
        #expect(try await transport.send(upload, logger: Self.logger).body == Array("2000000".utf8))
        let tooLarge = await #expect(throws: TransportError.self) {
            try await transport.send(Self.get(server.baseURL + "/5000000"), logger: Self.logger)
        }
        #expect(tooLarge?.message == "response body larger than 4194304 bytes")
        guard case .answered(let status, let partial)? = tooLarge?.stage else {
            Issue.record("a body cut short after the status line must report the status: \(String(describing: tooLarge?.stage))")
            return
        }
        #expect(status == 200)
        #expect(partial.count == TransportError.partialBodyLimit)
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test("through a proxy: plain HTTP in absolute form, https through a CONNECT tunnel with the CA bundle")
    func proxy() async throws {
        let simulator = try await InformaticaSimulator.start(SessionTests.simulatorConfiguration(), logger: Self.logger)
        // The proxy forwards absolute-form requests with a direct transport and records what it saw.
        let upstream = try Self.transport()
        let proxy = try await TestHTTPServer.start { request in
            guard request.uri.hasPrefix("http://") else { return .answer(status: 400) }
            var headers = request.headers.map { ($0.name, $0.value) }
            headers.removeAll { ["host", "content-length"].contains($0.0.lowercased()) }
            let forwarded = TransportRequest(
                method: request.method == .POST ? .post : .get,
                url: request.uri,
                headers: headers,
                body: request.body.readableBytes > 0 ? Array(request.body.readableBytesView) : nil,
                timeout: .seconds(5)
            )
            guard let response = try? await upstream.send(forwarded, logger: Self.logger) else { return .answer(status: 502) }
            return .answer(status: response.status, body: ByteBuffer(bytes: response.body))
        }
        var configuration = SessionTests.identityConfiguration(simulator)
        configuration.http.proxy = HTTPSettings.Proxy(host: "127.0.0.1", port: proxy.port)
        let client = try InformaticaClient(configuration: configuration, logger: Self.logger)
        #expect(await client.startCodeTask(codeTaskId: "proxied").jobId != nil)
        #expect(simulator.startCalls.count(for: "proxied") == 1)
        #expect(proxy.received.contains { $0.uri == simulator.baseURL + "/disnext/api/v1/CodeTask/Start" })
        #expect(proxy.received.allSatisfy { $0.headers["Host"] == [simulator.baseURL.replacingOccurrences(of: "http://", with: "")] })
        await client.shutdown()
        try await proxy.shutdown()
        try await upstream.shutdown()
        try await simulator.shutdown()

        let certificate = try TestCertificate.make()
        let server = try await TestHTTPServer.start(tls: try certificate.serverContext()) { _ in .answer(body: ByteBuffer(string: "secure")) }
        let tunnel = try await TestTunnelProxy.start()
        let secure = try Self.transport {
            $0.caBundlePath = certificate.certificatePath
            $0.proxy = HTTPSettings.Proxy(host: "127.0.0.1", port: tunnel.port)
        }
        for _ in 0..<3 { #expect(try await secure.send(Self.get(server.baseURL + "/tls"), logger: Self.logger).body == Array("secure".utf8)) }
        #expect(tunnel.authorities == ["localhost:\(server.port)"])
        try await secure.shutdown()
        // Without the CA bundle the self-signed certificate is refused.
        let untrusting = try Self.transport()
        await #expect(throws: TransportError.self) { try await untrusting.send(Self.get(server.baseURL + "/tls"), logger: Self.logger) }
        try await untrusting.shutdown()
        try await tunnel.shutdown()
        try await server.shutdown()
    }
}
