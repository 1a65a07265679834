import KafkaTestSupport
import Foundation
import Testing

@testable import InformaticaClient

@Suite("Client fixes: rate-limit tokens, shared login failures, refresh and logout, cancellation")
struct ClientFixTests {
    private static func v3Login(_ id: String) -> (status: Int, body: String) {
        (200, #"{"userInfo": {"sessionId": "\#(id)"}, "products": [{"baseApiUrl": "https://usw3.dm-us.informaticacloud.com/saas"}]}"#)
    }

    private static func v3Configuration() -> InformaticaConfiguration {
        var configuration = InformaticaConfiguration(
            session: .v3(loginURL: "https://dm-us.informaticacloud.com", credentials: Credentials(username: "u", password: Secret(TestClients.password)))
        )
        configuration.retry.initialBackoff = .milliseconds(1)
        return configuration
    }

    private static func client(_ configuration: InformaticaConfiguration, _ transport: GatedTransport, _ clock: ManualClock, _ capture: LogCapture)
        throws -> InformaticaClient
    {
        try InformaticaClient(configuration: configuration, transport: transport, clock: clock, jitter: { 1 }, logger: capture.logger())
    }

    /// Yields until `condition` holds; records an issue when it never does.
    private static func waitUntil(_ what: String, _ condition: () -> Bool) async {
        for _ in 0..<200_000 {
            if condition() { return }
            await Task.yield()
        }
        Issue.record("never happened: \(what)")
    }

    @Test("a call the breaker turns away takes no rate-limit token; the token is taken when the call is sent")
    func tokensOnlyForSentCalls() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.rateLimit = RateLimitSettings(startsPerSecond: 1, burst: 1)
        configuration.circuitBreaker.failureThreshold = 1
        configuration.circuitBreaker.openDuration = .seconds(10)
        configuration.retry.maxAttempts = 1
        let transport = ScriptedTransport([.respond(status: 503, body: "")], clock: clock)
        let client = try TestClients.scripted(configuration, transport: transport, clock: clock, capture: capture)
        #expect(await client.startCodeTask(codeTaskId: "a").jobId == nil)
        #expect(client.circuitBreakerState.isOpen)
        #expect(await client.startCodeTask(codeTaskId: "b").jobId != nil)
        // One wait for the breaker, none for the rate limit: the bucket refilled while the breaker was open,
        // and the turned-away loop took nothing from it.
        #expect(clock.sleeps == [.seconds(10)])
        #expect(transport.requests.count == 2)
        await client.shutdown()
    }

    @Test("one failed login shared by five callers counts once toward the breaker")
    func sharedLoginFailureCountsOnce() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = Self.v3Configuration()
        configuration.circuitBreaker.failureThreshold = 2
        configuration.retry.maxAttempts = 1
        let transport = GatedTransport(loginAnswers: [(503, "")])
        let client = try Self.client(configuration, transport, clock, capture)
        let outcomes = await withTaskGroup(of: StartOutcome.self) { group in
            for index in 0..<5 { group.addTask { await client.startCodeTask(codeTaskId: "t\(index)") } }
            await Self.waitUntil("one login held with four callers behind it") { transport.heldLogins == 1 && client.sessions.loginWaiters == 4 }
            transport.open()
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 5)
        #expect(outcomes.allSatisfy { $0.jobId == nil })
        #expect(transport.requests.count == 1)
        #expect(client.circuitBreakerState == .closed)
        await client.shutdown()
    }

    @Test("a session refreshed ahead of expiry serves calls until the new one is in, then is logged out")
    func refreshKeepsOldSession() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let one = "SESSION-ONE-abcdefghijklmnop"
        let two = "SESSION-TWO-abcdefghijklmnop"
        let transport = GatedTransport(loginAnswers: [Self.v3Login(one), Self.v3Login(two)], open: true)
        let client = try Self.client(Self.v3Configuration(), transport, clock, capture)
        #expect(await client.startCodeTask(codeTaskId: "a").jobId != nil)
        clock.advance(by: .seconds(29 * 60 + 30))  // inside the refresh margin, before the idle limit
        transport.close()
        async let refreshing = client.startCodeTask(codeTaskId: "b")
        await Self.waitUntil("the refresh login is held") { transport.heldLogins == 1 }
        // A watchdog so that a client that waits for the refresh fails this test instead of hanging it.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            transport.open()
        }
        let during = await client.startCodeTask(codeTaskId: "c")
        let heldDuringCall = transport.heldLogins == 1
        transport.open()
        watchdog.cancel()
        #expect(during.jobId != nil)
        #expect(heldDuringCall)
        #expect(await refreshing.jobId != nil)
        let requests = transport.requests
        let session = { (request: TransportRequest) in request.headers.first { $0.0 == "IDS-SESSION-ID" }?.1 }
        let starts = requests.filter { $0.url.hasSuffix("/CodeTask/Start") }
        #expect(starts.map(session) == [one, one, two])
        let logouts = requests.filter { $0.url.hasSuffix("/logout") }
        #expect(logouts.map { $0.headers.first { $0.0 == "INFA-SESSION-ID" }?.1 } == [one])
        await client.shutdown()
        #expect(!capture.containsAny(of: [one, two, TestClients.password]))
    }

    @Test("a caller cancelled during a failed attempt gets no further attempt")
    func cancellationStopsRetries() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = ScriptedTransport([.cancelCaller(.connection("refused", stage: .notSent))], clock: clock)
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        let outcome = await Task { await client.startCodeTask(codeTaskId: "a") }.value
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == InformaticaFailure.cancelledCode)
        #expect(!failure.allowsOutageHold)
        #expect(transport.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
        await client.shutdown()
    }
    @Test("a caller cancelled while it waits behind a shared login stops at once, without a call")
    func cancelledLoginWaiter() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let transport = GatedTransport(loginAnswers: [Self.v3Login("SESSION-ONE-abcdefghijklmnop")])
        let client = try Self.client(Self.v3Configuration(), transport, clock, capture)
        let leader = Task { await client.startCodeTask(codeTaskId: "lead") }
        await Self.waitUntil("the login is held") { transport.heldLogins == 1 }
        let waiter = Task { await client.startCodeTask(codeTaskId: "wait") }
        await Self.waitUntil("a second caller waits for the login") { client.sessions.loginWaiters == 1 }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            transport.open()
        }
        waiter.cancel()
        let cancelled = await waiter.value
        let heldWhileCancelled = transport.heldLogins == 1
        transport.open()
        watchdog.cancel()
        #expect(heldWhileCancelled)
        guard case .failed(let failure) = cancelled else {
            Issue.record("expected a failure, got \(cancelled)")
            return
        }
        #expect(failure.code == InformaticaFailure.cancelledCode)
        #expect(await leader.value.jobId != nil)
        #expect(transport.requests.filter { $0.url.hasSuffix("/CodeTask/Start") }.count == 1)
        await client.shutdown()
    }

    @Test("a started answer that echoes the session id is passed on without it")
    func echoInStartedAnswer() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let body = #"{"jobId":"J1","summary":"started with session \#(TestClients.sessionId)","n":12345678901234567890123}"#
        let transport = ScriptedTransport([.respond(status: 200, body: body)], clock: clock)
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        guard case .started(let started) = await client.startCodeTask(codeTaskId: "a") else {
            Issue.record("expected a start")
            return
        }
        #expect(!started.rawJSON.contains(TestClients.sessionId))
        #expect(started.rawJSON(of: "summary") == #""started with session <redacted>""#)
        #expect(started.rawJSON(of: "n") == "12345678901234567890123")
        await client.shutdown()
        #expect(!capture.containsAny(of: [TestClients.sessionId]))
    }
}
