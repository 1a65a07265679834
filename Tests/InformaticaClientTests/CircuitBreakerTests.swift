import KafkaTestSupport
import Foundation
import Testing

@testable import InformaticaClient

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    private static func settings(threshold: Int = 3) -> CircuitBreakerSettings {
        var settings = CircuitBreakerSettings()
        settings.failureThreshold = threshold
        settings.openDuration = .seconds(10)
        settings.halfOpenProbes = 1
        return settings
    }

    @Test("the state machine opens after the threshold, probes after the open time, closes on success")
    func stateMachine() {
        let start = Date(timeIntervalSince1970: 1_000)
        var machine = CircuitBreaker.StateMachine(settings: Self.settings())
        #expect(machine.record(.failure, probe: false, now: start) == nil)
        #expect(machine.record(.healthy, probe: false, now: start) == nil)
        #expect(machine.record(.failure, probe: false, now: start) == nil)
        #expect(machine.record(.failure, probe: false, now: start) == nil)
        #expect(machine.record(.failure, probe: false, now: start) == .open(until: start.addingTimeInterval(10)))
        #expect(machine.acquire(now: start.addingTimeInterval(5)).0 == .rejected(retryAt: start.addingTimeInterval(10)))
        #expect(machine.observed(at: start.addingTimeInterval(10)) == .halfOpen)
        let probe = machine.acquire(now: start.addingTimeInterval(10))
        #expect(probe.0 == .allowed(probe: true))
        #expect(probe.changed == .halfOpen)
        #expect(machine.acquire(now: start.addingTimeInterval(10)).0 == .rejected(retryAt: start.addingTimeInterval(11)))
        #expect(machine.record(.failure, probe: true, now: start.addingTimeInterval(11)) == .open(until: start.addingTimeInterval(21)))
        #expect(machine.acquire(now: start.addingTimeInterval(21)).0 == .allowed(probe: true))
        #expect(machine.record(.neutral, probe: true, now: start.addingTimeInterval(21)) == nil)
        #expect(machine.acquire(now: start.addingTimeInterval(21)).0 == .allowed(probe: true))
        #expect(machine.record(.healthy, probe: true, now: start.addingTimeInterval(21)) == .closed)
        #expect(machine.state == .closed)
    }

    @Test("a disabled breaker always allows")
    func disabled() {
        var settings = Self.settings(threshold: 1)
        settings.isEnabled = false
        var machine = CircuitBreaker.StateMachine(settings: settings)
        #expect(machine.record(.failure, probe: false, now: Date()) == nil)
        #expect(machine.acquire(now: Date()).0 == .allowed(probe: false))
    }

    @Test("the client's breaker opens on 503s, the worker sees it, a probe closes it")
    func throughClient() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.circuitBreaker = Self.settings(threshold: 3)
        configuration.retry.maxAttempts = 3
        configuration.retry.deadline = .seconds(5)
        let transport = ScriptedTransport(Array(repeating: .respond(status: 503, body: ""), count: 3), clock: clock)
        let client = try TestClients.scripted(configuration, transport: transport, clock: clock, jitter: 0, capture: capture)
        let updates = client.circuitBreakerStateChanges()
        var iterator = updates.makeAsyncIterator()
        #expect(await iterator.next() == .closed)

        guard case .failed(let first) = await client.startCodeTask(codeTaskId: "t") else {
            Issue.record("expected a failure")
            return
        }
        #expect(first.category == .retriesExhausted)
        let openUntil = clock.now().addingTimeInterval(10)
        #expect(client.circuitBreakerState == .open(until: openUntil))
        #expect(client.circuitBreakerState.isOpen)
        #expect(await iterator.next() == .open(until: openUntil))

        // Within the deadline the open breaker stops the call before any request.
        guard case .failed(let blocked) = await client.startCodeTask(codeTaskId: "u") else {
            Issue.record("expected a failure")
            return
        }
        #expect(blocked.category == .deadlineExceeded)
        #expect(blocked.code == "circuit_open")
        #expect(blocked.attempts.isEmpty)
        #expect(transport.requests.count == 3)

        clock.advance(by: .seconds(10))
        #expect(client.circuitBreakerState == .halfOpen)
        #expect(await client.startCodeTask(codeTaskId: "v").jobId != nil)
        #expect(await iterator.next() == .halfOpen)
        #expect(await iterator.next() == .closed)
        await client.shutdown()
        #expect(await iterator.next() == nil)
        #expect(!capture.containsAny(of: [TestClients.sessionId]))
    }

    @Test("a call waits for the breaker when the open time ends within its deadline")
    func waitsForProbe() async throws {
        let capture = LogCapture()
        let clock = ManualClock()
        var configuration = TestClients.fixedConfiguration()
        configuration.circuitBreaker = Self.settings(threshold: 1)
        configuration.retry.maxAttempts = 1
        configuration.retry.deadline = .seconds(60)
        let transport = ScriptedTransport([.fail(.connection("refused"))], clock: clock)
        let client = try TestClients.scripted(configuration, transport: transport, clock: clock, jitter: 0, capture: capture)
        _ = await client.startCodeTask(codeTaskId: "t")
        #expect(client.circuitBreakerState.isOpen)
        let outcome = await client.startCodeTask(codeTaskId: "u")
        #expect(outcome.jobId != nil)
        #expect(clock.sleeps == [.seconds(10)])
        #expect(client.circuitBreakerState == .closed)
        await client.shutdown()
    }
}
