import KafkaTestSupport
import Foundation
import InformaticaSimulator
import Testing

@testable import InformaticaClient

@Suite("Broken answers from the simulator: Start is never sent twice")
struct BrokenAnswerTests {
    private static func client(
        _ simulator: InformaticaSimulator,
        capture: LogCapture,
        inDoubt: RetryPolicy.InDoubtPolicy = .retry,
        attemptTimeout: Duration = .seconds(2)
    ) throws -> InformaticaClient {
        var configuration = SessionTests.identityConfiguration(simulator)
        configuration.retry.maxAttempts = 3
        configuration.retry.initialBackoff = .milliseconds(1)
        configuration.retry.maxBackoff = .milliseconds(1)
        configuration.retry.attemptTimeout = attemptTimeout
        configuration.retry.inDoubt = inDoubt
        return try InformaticaClient(configuration: configuration, logger: capture.logger())
    }

    /// Every way a 200 answer can break, except the stall (which never sends a status line).
    static let brokenAfterStatus = BrokenAnswer.allCases.filter { $0 != .stallAfterRequest }

    @Test("a 200 whose answer breaks is answer_unreadable after exactly one Start call", arguments: brokenAfterStatus)
    func unreadable(kind: BrokenAnswer) async throws {
        let capture = LogCapture()
        var configuration = SessionTests.simulatorConfiguration()
        configuration.taskRules = [TaskRule(id: "broken", brokenAnswer: kind)]
        let simulator = try await InformaticaSimulator.start(configuration, logger: capture.logger("sim"))
        let client = try Self.client(simulator, capture: capture)
        let outcome = await client.startCodeTask(codeTaskId: "broken")
        await client.shutdown()
        #expect(simulator.startCalls.count(for: "broken") == 1, "\(kind)")
        #expect(simulator.startCalls.startedCount(for: "broken") == 1)
        guard case .failed(let failure) = outcome else {
            Issue.record("\(kind): expected a failure, got \(outcome)")
            try await simulator.shutdown()
            return
        }
        #expect(failure.category == .answerUnreadable, "\(kind): \(failure)")
        #expect(failure.httpStatus == 200)
        #expect(failure.inDoubtAttempts == 1)
        #expect(failure.attempts.filter { $0.target == .request }.map(\.delivery) == [.answerUnreadable])
        #expect(!failure.allowsOutageHold)
        try await simulator.shutdown()
        SessionTests.expectNoSecrets(capture, simulator)
    }

    @Test("inDoubt fail: a request the service read and never answered ends in_doubt after one Start call")
    func stallFails() async throws {
        let capture = LogCapture()
        var configuration = SessionTests.simulatorConfiguration()
        configuration.taskRules = [TaskRule(id: "stall", brokenAnswer: .stallAfterRequest)]
        let simulator = try await InformaticaSimulator.start(configuration, logger: capture.logger("sim"))
        let client = try Self.client(simulator, capture: capture, inDoubt: .fail, attemptTimeout: .milliseconds(300))
        let outcome = await client.startCodeTask(codeTaskId: "stall")
        await client.shutdown()
        #expect(simulator.startCalls.count(for: "stall") == 1)
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            try await simulator.shutdown()
            return
        }
        #expect(failure.category == .inDoubt)
        #expect(failure.code == "timeout")
        #expect(failure.inDoubtAttempts == 1)
        #expect(!failure.allowsOutageHold)
        try await simulator.shutdown()
        SessionTests.expectNoSecrets(capture, simulator)
    }

    @Test("inDoubt retry: the stalled request is tried again, and each in-doubt attempt is counted")
    func stallRetries() async throws {
        let capture = LogCapture()
        var configuration = SessionTests.simulatorConfiguration()
        configuration.taskRules = [TaskRule(id: "stall", brokenAnswer: .stallAfterRequest, times: 1)]
        let simulator = try await InformaticaSimulator.start(configuration, logger: capture.logger("sim"))
        let client = try Self.client(simulator, capture: capture, attemptTimeout: .milliseconds(300))
        let outcome = await client.startCodeTask(codeTaskId: "stall")
        await client.shutdown()
        guard case .started(let started) = outcome else {
            Issue.record("expected a start, got \(outcome)")
            try await simulator.shutdown()
            return
        }
        #expect(simulator.startCalls.count(for: "stall") == 2)
        #expect(started.inDoubtAttempts == 1)
        try await simulator.shutdown()
    }

    @Test("cancelling the caller while a body trickles in ends the call at once, without another Start")
    func cancelledDuringBody() async throws {
        let capture = LogCapture()
        var configuration = SessionTests.simulatorConfiguration()
        configuration.taskRules = [TaskRule(id: "slow", brokenAnswer: .slowBody)]
        let simulator = try await InformaticaSimulator.start(configuration, logger: capture.logger("sim"))
        let client = try Self.client(simulator, capture: capture, attemptTimeout: .seconds(30))
        let started = ContinuousClock.now
        let call = Task { await client.startCodeTask(codeTaskId: "slow") }
        while simulator.startCalls.count(for: "slow") == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(200))  // the head and half the body have arrived
        call.cancel()
        let outcome = await call.value
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(Int64(BrokenAnswer.slowBodyDelaySeconds)), "the call waited for the rest of the body: \(elapsed)")
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            await client.shutdown()
            try await simulator.shutdown()
            return
        }
        #expect(failure.code == InformaticaFailure.cancelledCode)
        #expect(simulator.startCalls.count(for: "slow") == 1)
        await client.shutdown()
        try await simulator.shutdown()
    }

    @Test("an error message that echoes the session id reaches neither the outcome nor the logs")
    func echoedSession() async throws {
        let capture = LogCapture()
        var configuration = SessionTests.simulatorConfiguration()
        configuration.taskRules = [TaskRule(match: .id("echo"), status: 400, times: nil, retryAfterSeconds: nil, echoesSessionId: true)]
        let simulator = try await InformaticaSimulator.start(configuration, logger: capture.logger("sim"))
        let client = try Self.client(simulator, capture: capture)
        let outcome = await client.startCodeTask(codeTaskId: "echo")
        await client.shutdown()
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            try await simulator.shutdown()
            return
        }
        let sessionIds = simulator.issuedSessionIds
        #expect(!sessionIds.isEmpty)
        #expect(failure.message.contains(SecretRedactor.replacement), "the echo was there to remove")
        for text in [failure.message, failure.description, failure.code ?? "", failure.requestId ?? ""] {
            #expect(!sessionIds.contains { text.contains($0) })
        }
        try await simulator.shutdown()
        SessionTests.expectNoSecrets(capture, simulator)
    }
}
