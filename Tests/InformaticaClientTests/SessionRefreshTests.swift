import KafkaTestSupport
import Foundation
import Testing

@testable import InformaticaClient

@Suite("Session refresh with an injected clock")
struct SessionRefreshTests {
    private static func loginBody(expiresIn seconds: Double, now: Date, id: String) -> String {
        let formatter = ISO8601DateFormatter()
        return #"{"sessionId": "\#(id)", "sessionExpireTime": "\#(formatter.string(from: now.addingTimeInterval(seconds)))"}"#
    }

    private static func configuration() -> InformaticaConfiguration {
        InformaticaConfiguration(
            session: .identityService(
                loginURL: "https://dm-us.informaticacloud.com",
                serverURL: "https://usw3.dm-us.informaticacloud.com",
                credentials: Credentials(username: "u", password: Secret(TestClients.password))
            )
        )
    }

    @Test("the client logs in again before the idle limit, without waiting for a 401")
    func idleRefresh() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [
                .respond(status: 200, body: Self.loginBody(expiresIn: 86_400, now: clock.now(), id: "SESSION-ONE-abcdefghijkl")),
                .respond(status: 200, body: ScriptedTransport.seedResponse),
                .respond(status: 200, body: ScriptedTransport.seedResponse),
                .respond(status: 200, body: Self.loginBody(expiresIn: 86_400, now: clock.now(), id: "SESSION-TWO-abcdefghijkl")),
                .respond(status: 200, body: ScriptedTransport.seedResponse),
            ],
            clock: clock
        )
        let client = try TestClients.scripted(Self.configuration(), transport: transport, clock: clock, capture: capture)
        _ = await client.startCodeTask(codeTaskId: "a")
        clock.advance(by: .seconds(28 * 60))
        _ = await client.startCodeTask(codeTaskId: "b")
        clock.advance(by: .seconds(29 * 60 + 30))
        _ = await client.startCodeTask(codeTaskId: "c")
        let urls = transport.requests.map(\.url)
        #expect(urls.filter { $0.hasSuffix("/Login") }.count == 2)
        #expect(urls.last?.hasSuffix("/CodeTask/Start") == true)
        #expect(transport.requests.last?.headers.first { $0.0 == "IDS-SESSION-ID" }?.1 == "SESSION-TWO-abcdefghijkl")
        #expect(
            transport.requests.filter { $0.url.hasSuffix("/Login") }.allSatisfy { request in
                !request.headers.contains { $0.0.contains("SESSION") }
            }
        )
        await client.shutdown()
        #expect(!capture.containsAny(of: [TestClients.password, "SESSION-ONE-abcdefghijkl", "SESSION-TWO-abcdefghijkl"]))
    }

    @Test("the client logs in again before sessionExpireTime")
    func expiryRefresh() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [
                .respond(status: 200, body: Self.loginBody(expiresIn: 300, now: clock.now(), id: "EXPIRING-session-000001")),
                .respond(status: 200, body: ScriptedTransport.seedResponse),
                .respond(
                    status: 200,
                    body: Self.loginBody(expiresIn: 300, now: clock.now().addingTimeInterval(250), id: "EXPIRING-session-000002")
                ),
                .respond(status: 200, body: ScriptedTransport.seedResponse),
            ],
            clock: clock
        )
        let client = try TestClients.scripted(Self.configuration(), transport: transport, clock: clock, capture: capture)
        _ = await client.startCodeTask(codeTaskId: "a")
        clock.advance(by: .seconds(250))
        _ = await client.startCodeTask(codeTaskId: "b")
        #expect(transport.requests.filter { $0.url.hasSuffix("/Login") }.count == 2)
        await client.shutdown()
        #expect(!capture.containsAny(of: [TestClients.password, "EXPIRING-session-000001", "EXPIRING-session-000002"]))
    }

    @Test("a failed login with a 503 is retried under the policy")
    func loginRetried() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = ScriptedTransport(
            [
                .respond(status: 503, body: "<html>busy</html>"),
                .respond(status: 200, body: Self.loginBody(expiresIn: 3600, now: clock.now(), id: "RETRIED-session-0000001")),
                .respond(status: 200, body: ScriptedTransport.seedResponse),
            ],
            clock: clock
        )
        let client = try TestClients.scripted(Self.configuration(), transport: transport, clock: clock, capture: capture)
        let outcome = await client.startCodeTask(codeTaskId: "a")
        #expect(outcome.jobId == "8zcuMdImeshidZ4XVExs20")
        #expect(outcome.attempts.map(\.target) == [.login, .request])
        #expect(outcome.attempts.map(\.status) == [503, 200])
        await client.shutdown()
        #expect(!capture.containsAny(of: [TestClients.password, "RETRIED-session-0000001"]))
    }
}
