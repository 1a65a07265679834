import Foundation
import InformaticaSimulator
import NIOCore
import Testing

@testable import InformaticaClient

@Suite("The AsyncHTTPClient transport")
struct AsyncHTTPClientTransportTests {
    typealias Support = TransportTestSupport

    @Test("sequential requests reuse one keep-alive connection; the client runs over it against the simulator")
    func keepAlive() async throws {
        let server = try await TestHTTPServer.start { _ in .answer() }
        let transport = try Support.transport()
        for _ in 0..<20 {
            let response = try await transport.send(Support.get(server.baseURL + "/ping"), logger: Support.logger)
            #expect(response.status == 200 && response.body == Array("{}".utf8))
            #expect(response.header("content-type") == "application/json")
        }
        #expect(server.connections.accepted == 1)
        #expect(server.received.allSatisfy { $0.headers["Host"] == ["127.0.0.1:\(server.port)"] && $0.uri == "/ping" })
        try await transport.shutdown()
        try await server.shutdown()

        let simulator = try await InformaticaSimulator.start(SessionTests.simulatorConfiguration(), logger: Support.logger)
        let client = try InformaticaClient(configuration: SessionTests.identityConfiguration(simulator), logger: Support.logger)
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
        let transport = try Support.transport { $0.maxConnectionsPerHost = 3 }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            // A generous deadline: on a loaded machine 30 requests queued behind 3 connections can take seconds.
            for _ in 0..<30 {
                group.addTask { try await transport.send(Support.get(server.baseURL + "/slow", timeout: .seconds(60)), logger: Support.logger).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 30))
        #expect(server.connections.mostOpen <= 3)
        #expect(server.connections.accepted == 3)
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test("a slow answer times out as sent, a wait for a busy connection as not sent; the next request works")
    func timeouts() async throws {
        let server = try await TestHTTPServer.start { request in
            if request.uri == "/slow" { try? await Task.sleep(for: .seconds(10)) }
            return .answer()
        }
        let transport = try Support.transport { $0.maxConnectionsPerHost = 1 }
        let started = ContinuousClock.now
        let slow = await Support.failure {
            try await transport.send(Support.post(server.baseURL + "/slow", timeout: .milliseconds(150)), logger: Support.logger)
        }
        #expect(slow == TransportError.timeout("no complete answer before the request's deadline", stage: .sent))
        #expect(ContinuousClock.now - started < .seconds(8), "the 150 ms timeout did not cut the 10 s answer short")
        #expect(try await transport.send(Support.get(server.baseURL + "/fast"), logger: Support.logger).status == 200)

        // The only connection is busy: the second request times out waiting for it, never written.
        let busy = Task { try await transport.send(Support.get(server.baseURL + "/slow", timeout: .seconds(40)), logger: Support.logger) }
        try await Task.sleep(for: .milliseconds(100))
        let waiting = await Support.failure {
            try await transport.send(Support.post(server.baseURL + "/fast", timeout: .milliseconds(100)), logger: Support.logger)
        }
        #expect(waiting == TransportError.timeout("no connection before the request's deadline", stage: .notSent))
        #expect(try await busy.value.status == 200)
        #expect(server.received.filter { $0.uri == "/fast" }.count == 1, "the request that waited was never written")
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test("a cancelled request ends with CancellationError at once and its connection is closed")
    func cancellation() async throws {
        let server = try await TestHTTPServer.start { _ in
            try? await Task.sleep(for: .seconds(10))
            return .answer()
        }
        let transport = try Support.transport()
        let started = ContinuousClock.now
        let task = Task { try await transport.send(Support.post(server.baseURL + "/slow", timeout: .seconds(30)), logger: Support.logger) }
        #expect(try await Support.eventually { server.received.count == 1 })
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(5), "the cancelled request waited for its answer")
        #expect(try await Support.eventually { server.connections.open == 0 }, "the connection stayed open")
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
        let transport = try Support.transport()
        for _ in 0..<3 { #expect(try await transport.send(Support.get(server.baseURL + "/close"), logger: Support.logger).status == 200) }
        #expect(server.connections.accepted == 3)
        for _ in 0..<3 {
            #expect(try await transport.send(Support.get(server.baseURL + "/silent"), logger: Support.logger).status == 200)
            try await Task.sleep(for: .milliseconds(50))  // the close arrives while the connection is idle
        }
        #expect(server.connections.accepted == 6)
        let dropped = await Support.failure { try await transport.send(Support.post(server.baseURL + "/drop"), logger: Support.logger) }
        #expect(dropped?.code == "connection_error")
        #expect(dropped?.stage == .sent)
        #expect(try await transport.send(Support.get(server.baseURL + "/ok"), logger: Support.logger).status == 200)
        try await transport.shutdown()
        try await server.shutdown()

        let refused = try Support.transport()
        let failure = await Support.failure { try await refused.send(Support.get(server.baseURL + "/refused"), logger: Support.logger) }
        #expect(failure?.code == "connection_error")
        #expect(failure?.stage == .notSent, "a refused connection never sent anything, even without a body to observe")
        try await refused.shutdown()
    }

    @Test("large request and response bodies arrive whole; bodies over the limit break off as answered")
    func largeBodies() async throws {
        let server = try await TestHTTPServer.start { request in
            let size = Int(request.uri.dropFirst()) ?? 0
            if size == 0 { return .answer(body: ByteBuffer(string: "\(request.body.readableBytes)")) }
            return .answer(body: ByteBuffer(repeating: UInt8(ascii: "x"), count: size))
        }
        let transport = try Support.transport()
        let big = try await transport.send(Support.get(server.baseURL + "/3000000"), logger: Support.logger)
        #expect(big.body.count == 3_000_000 && big.body.allSatisfy { $0 == UInt8(ascii: "x") })
        let upload = TransportRequest(
            method: .post,
            url: server.baseURL + "/0",
            headers: [("Content-Type", "application/octet-stream")],
            body: Array(repeating: 7, count: 2_000_000),
            timeout: .seconds(5)
        )
        #expect(try await transport.send(upload, logger: Support.logger).body == Array("2000000".utf8))
        let tooLarge = await Support.failure { try await transport.send(Support.get(server.baseURL + "/5000000"), logger: Support.logger) }
        #expect(tooLarge?.message == "response body larger than 4194304 bytes")
        #expect(tooLarge?.stage == .answered(status: 200, partialBody: Array(repeating: UInt8(ascii: "x"), count: TransportError.partialBodyLimit)))
        try await transport.shutdown()

        let small = try Support.transport { $0.maxResponseBodyBytes = 100 }
        #expect(try await small.send(Support.get(server.baseURL + "/100"), logger: Support.logger).body.count == 100)
        let over = await Support.failure { try await small.send(Support.get(server.baseURL + "/101"), logger: Support.logger) }
        #expect(over?.message == "response body larger than 100 bytes")
        try await small.shutdown()
        try await server.shutdown()
    }

    @Test("a redirect is an answer, never followed: the session header reaches no other host")
    func redirectsAreNotFollowed() async throws {
        let elsewhere = try await TestHTTPServer.start { _ in .answer() }
        let server = try await TestHTTPServer.start { _ in
            .answer(status: 307, headers: [("Location", elsewhere.baseURL + "/stolen")])
        }
        let transport = try Support.transport()
        var request = Support.post(server.baseURL + "/disnext/api/v1/CodeTask/Start")
        request.headers.append(("IDS-SESSION-ID", "secret-session"))
        let response = try await transport.send(request, logger: Support.logger)
        #expect(response.status == 307)
        #expect(elsewhere.received.isEmpty)
        try await transport.shutdown()
        try await server.shutdown()
        try await elsewhere.shutdown()
    }

    @Test("a header that could split the request is refused before anything is sent, without echoing it")
    func headerInjection() async throws {
        let server = try await TestHTTPServer.start { _ in .answer() }
        let transport = try Support.transport()
        var request = Support.post(server.baseURL + "/x")
        request.headers.append(("traceparent", "00-x\r\nX-Injected: secret-value"))
        let refused = await Support.failure { try await transport.send(request, logger: Support.logger) }
        #expect(refused?.stage == .notSent)
        #expect(refused.map { !$0.description.contains("secret-value") } == true, "\(String(describing: refused))")
        #expect(server.received.isEmpty)
        try await transport.shutdown()
        try await server.shutdown()
    }
}
