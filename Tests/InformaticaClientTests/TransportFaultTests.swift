import KafkaTestSupport
import Foundation
import InformaticaSimulator
import Testing

@testable import InformaticaClient

@Suite("Real HTTP faults from the simulator")
struct TransportFaultTests {
    private static func client(_ simulator: InformaticaSimulator, capture: LogCapture, attemptTimeout: Duration = .seconds(5)) throws
        -> InformaticaClient
    {
        var configuration = SessionTests.identityConfiguration(simulator)
        configuration.retry.maxAttempts = 2
        configuration.retry.initialBackoff = .milliseconds(1)
        configuration.retry.maxBackoff = .milliseconds(1)
        configuration.retry.attemptTimeout = attemptTimeout
        return try InformaticaClient(configuration: configuration, logger: capture.logger())
    }

    @Test("a slow answer hits the per-attempt timeout and counts as retriable")
    func timeout() async throws {
        let capture = LogCapture()
        let simulator = try await InformaticaSimulator.start(SessionTests.simulatorConfiguration(), logger: capture.logger("sim"))
        let client = try Self.client(simulator, capture: capture, attemptTimeout: .milliseconds(150))
        // Warm up: a login and a connection, so that the slow call below waits only for the answer. On a loaded
        // machine the first call can take longer than 150 ms itself; what is tested is the slow call, so the
        // warm-up may take a few tries.
        var warmed = false
        for _ in 0..<5 where !warmed { warmed = await client.startCodeTask(codeTaskId: "warm").jobId != nil }
        #expect(warmed, "five warm-up calls without a 150 ms answer")
        var faults = FaultConfiguration()
        faults.latency = .fixed(milliseconds: 3_000)  // far past the 150 ms attempt timeout, even on a starved event loop
        simulator.setFaults(faults)
        let outcome = await client.startCodeTask(codeTaskId: "slow")
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome) with attempts \(outcome.attempts)")
            await client.shutdown()
            try await simulator.shutdown()
            return
        }
        #expect(failure.category == .retriesExhausted)
        #expect(failure.attempts.map(\.errorCode) == ["timeout", "timeout"])
        #expect(failure.attempts.allSatisfy { $0.status == nil && $0.outcome == .retriable })
        await client.shutdown()
        try await simulator.shutdown()
        SessionTests.expectNoSecrets(capture, simulator)
    }

    @Test("dropped connections, gateway pages and scripted failures are retried; 404 is not")
    func faults() async throws {
        let capture = LogCapture()
        var configuration = SessionTests.simulatorConfiguration()
        configuration.taskRules = [
            TaskRule(id: "gateway", status: 502, times: 1), TaskRule(prefix: "missing-", status: 404),
        ]
        let simulator = try await InformaticaSimulator.start(configuration, logger: capture.logger("sim"))
        let client = try Self.client(simulator, capture: capture)
        let gateway = await client.startCodeTask(codeTaskId: "gateway")
        #expect(gateway.jobId != nil)
        #expect(gateway.attempts.compactMap(\.status).suffix(2) == [502, 200])
        guard case .failed(let missing) = await client.startCodeTask(codeTaskId: "missing-7") else {
            Issue.record("expected a failure")
            return
        }
        #expect(missing.category == .rejected)
        #expect(missing.httpStatus == 404)
        #expect(missing.attempts.count == 1)
        var faults = FaultConfiguration()
        faults.dropConnectionRate = 1
        simulator.setFaults(faults)
        guard case .failed(let dropped) = await client.startCodeTask(codeTaskId: "dropped") else {
            Issue.record("expected a failure")
            return
        }
        #expect(dropped.category == .retriesExhausted)
        #expect(dropped.attempts.allSatisfy { $0.errorCode == "connection_error" })
        #expect(simulator.startCalls.count(for: "missing-7") == 1)
        await client.shutdown()
        try await simulator.shutdown()
        SessionTests.expectNoSecrets(capture, simulator)
    }
}
