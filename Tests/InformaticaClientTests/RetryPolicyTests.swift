import KafkaTestSupport
import Foundation
import Testing

@testable import InformaticaClient

@Suite("Retry timing with an injected clock")
struct RetryPolicyTests {
    private func policy() -> RetryPolicy {
        var policy = RetryPolicy()
        policy.initialBackoff = .milliseconds(100)
        policy.maxBackoff = .seconds(1)
        policy.multiplier = 2
        return policy
    }

    @Test("the ceiling grows exponentially and is capped")
    func ceilings() {
        let ceilings = (1...6).map { self.policy().backoffCeiling(afterAttempt: $0) }
        #expect(ceilings == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }

    @Test("full jitter spans 0 to the ceiling; Retry-After is a floor")
    func jitterBounds() {
        let policy = self.policy()
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, jitter: 0) == .zero)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, jitter: 1) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, jitter: 0.5) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 3, retryAfter: .seconds(3), jitter: 1) == .seconds(3))
        #expect(policy.delay(afterAttempt: 3, retryAfter: .milliseconds(50), jitter: 1) == .milliseconds(400))
    }

    @Test("the client's sleeps stay within the jitter range with real randomness")
    func clientJitterRange() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.retry = self.policy()
        configuration.retry.maxAttempts = 6
        configuration.circuitBreaker.isEnabled = false
        for _ in 0..<20 {
            let transport = ScriptedTransport([], fallback: .respond(status: 503, body: ""), clock: clock)
            let client = try InformaticaClient(
                configuration: configuration,
                transport: transport,
                clock: clock,
                jitter: { Double.random(in: 0...1) },
                logger: capture.logger()
            )
            _ = await client.startCodeTask(codeTaskId: "t")
            await client.shutdown()
        }
        let sleeps = clock.sleeps
        #expect(sleeps.count == 20 * 5)
        for (index, sleep) in sleeps.enumerated() {
            let ceiling = self.policy().backoffCeiling(afterAttempt: index % 5 + 1)
            #expect(sleep >= .zero && sleep <= ceiling)
        }
        #expect(Set(sleeps).count > 50, "jitter should spread the delays")
    }

    @Test("attempt limit: retriable failures stop after maxAttempts with every attempt recorded")
    func attemptLimit() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.retry.maxAttempts = 3
        let transport = ScriptedTransport(
            [
                .respond(status: 503, body: #"{"error":{"code":"X1","message":"busy","requestId":"R1"}}"#, latency: .milliseconds(40)),
                .fail(.connection("connection reset"), latency: .milliseconds(5)),
                .respond(status: 500, body: #"{"error":{"code":"X3","message":"boom","requestId":"R3"}}"#, latency: .milliseconds(7)),
            ],
            clock: clock
        )
        let client = try TestClients.scripted(configuration, transport: transport, clock: clock, capture: capture)
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: "t") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.category == .retriesExhausted)
        #expect(failure.attempts.map(\.status) == [503, nil, 500])
        #expect(failure.attempts.map(\.latency) == [.milliseconds(40), .milliseconds(5), .milliseconds(7)])
        #expect(failure.attempts.map(\.errorCode) == ["X1", "connection_error", "X3"])
        #expect(failure.httpStatus == 500)
        #expect(failure.code == "X3")
        #expect(failure.requestId == "R3")
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200)])
        await client.shutdown()
    }

    @Test("permanent errors are never retried", arguments: [400, 403, 404, 409, 422])
    func permanent(status: Int) async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let body = #"{"code": "CT_\#(status)", "description": "no", "statusCode": \#(status), "@type": "error"}"#
        let transport = ScriptedTransport([.respond(status: status, body: body)], clock: clock)
        let client = try TestClients.scripted(transport: transport, clock: clock, capture: capture)
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: "t") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.category == .rejected)
        #expect(failure.httpStatus == status)
        #expect(failure.code == "CT_\(status)")
        #expect(transport.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
        await client.shutdown()
    }

    @Test("Retry-After in seconds and as an HTTP date is honoured as a lower bound")
    func retryAfter() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        let date = Date(timeInterval: 7, since: clock.now())
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let transport = ScriptedTransport(
            [
                .respond(status: 429, body: "", headers: [("Retry-After", "3")]),
                .respond(status: 503, body: "", headers: [("retry-after", formatter.string(from: date))]),
            ],
            clock: clock
        )
        let client = try TestClients.scripted(transport: transport, clock: clock, jitter: 0, capture: capture)
        let outcome = await client.startCodeTask(codeTaskId: "t")
        #expect(outcome.jobId != nil)
        #expect(clock.sleeps == [.seconds(3), .seconds(4)])
        await client.shutdown()
    }

    @Test("the deadline ends the call before a retry would pass it")
    func deadline() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.retry.maxAttempts = 100
        configuration.retry.deadline = .seconds(1)
        configuration.circuitBreaker.isEnabled = false
        let transport = ScriptedTransport([], fallback: .respond(status: 503, body: "", latency: .milliseconds(100)), clock: clock)
        let client = try TestClients.scripted(configuration, transport: transport, clock: clock, capture: capture)
        let started = clock.now()
        guard case .failed(let failure) = await client.startCodeTask(codeTaskId: "t") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.category == .deadlineExceeded)
        #expect(clock.now().timeIntervalSince(started) < 1)
        // 100 ms per attempt plus backoffs of 100 and 200 ms reach 0.6 s; the next 400 ms backoff would reach the deadline.
        #expect(failure.attempts.count == 3)
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200)])
        await client.shutdown()
    }

    @Test("each attempt's timeout is the smaller of attemptTimeout and the time left")
    func attemptTimeout() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.retry.attemptTimeout = .seconds(10)
        configuration.retry.deadline = .seconds(12)
        let transport = ScriptedTransport([.fail(.timeout("deadline exceeded"), latency: .seconds(10))], clock: clock)
        let client = try TestClients.scripted(configuration, transport: transport, clock: clock, jitter: 0, capture: capture)
        _ = await client.startCodeTask(codeTaskId: "t")
        #expect(transport.requests.map(\.timeout) == [.seconds(10), .seconds(2)])
        await client.shutdown()
    }
}
