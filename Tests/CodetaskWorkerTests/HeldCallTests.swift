import CodetaskDemo
@testable import CodetaskWorker
import Foundation
import InformaticaClient
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
@Suite("Calls held by the circuit breaker", .timeLimit(.minutes(2)))
struct HeldCallTests {
    @Test("""
        mock only: a call with an in-doubt attempt that ends circuit-open, then a fresh call that starts the job: \
        the started event counts every call's attempts and says possibleDuplicate
        """)
    func inDoubtMarkSurvivesTheHold() async throws {
        announce("inDoubtMarkSurvivesTheHold", .mock)
        // First call: a 500 (written, no answer: in doubt, tried again), then a 503 that opens the breaker for
        // longer than the call's deadline (circuit_open). The next call, once the breaker lets a probe through,
        // is answered 200.
        let rules = [TaskRule(id: "ct-held", status: 500, times: 1), TaskRule(id: "ct-held", status: 503, times: 1)]
        try await WorkerHarness.with(.mock, simulator: { $0.taskRules = rules }) { harness in
            let sent = try await harness.produce([SampleRequests.valid(index: 0, codeTaskId: "ct-held")])
            let running = try harness.startWorker { configuration in
                configuration.informatica.retry.deadline = .seconds(1)
                configuration.informatica.circuitBreaker.failureThreshold = 1
                configuration.informatica.circuitBreaker.openDuration = .seconds(2)
            }
            let records = try await harness.readOutputs(timeout: .seconds(60)) { records in
                records.contains { $0.headers.last(named: "ce_subject") == "ct-held" }
            }
            try await running.stop()
            let calls = harness.simulator.startCalls.calls.filter { $0.codeTaskId == "ct-held" }
            #expect(calls.map(\.status) == [500, 503, 200], "the scenario did not happen as scripted")
            let events = records.filter { $0.topic == harness.topics.output && $0.headers.last(named: "ce_subject") == "ct-held" }
            #expect(events.count == 1)
            let event = try #require(events.first)
            let body = try JSONParser.parse(event.value)
            #expect(event.headers.last(named: "ce_type") == "codetask.job.started")
            #expect(body["jobId"]?.stringValue == calls.last?.jobId)
            #expect(body["attempts"] == .integer(3), "the event counts only the last call's requests")
            #expect(body["inDoubtAttempts"] == .integer(1), "the first call's in-doubt attempt was lost")
            #expect(body["possibleDuplicate"] == .bool(true), "a possible second job is not flagged")
            #expect(sent.count == 1)
            print("[worker-tests] inDoubtMarkSurvivesTheHold: \(String(decoding: event.value, as: UTF8.self))")
        }
    }

    @Test("""
        mock only: a record left in doubt by a killed member, held by its next owner's outage several times, then \
        started by a third: the hold closes nothing, the record counts in doubt once, the start says possibleDuplicate
        """)
    func heldJobsKeepAnInheritedMark() async throws {
        announce("heldJobsKeepAnInheritedMark", .mock)
        try await WorkerHarness.with(.mock) { harness in
            let sent = try await harness.produce([SampleRequests.valid(index: 0, codeTaskId: "ct-held")])
            // A member records its attempt, calls a closed port (it keeps trying) and is killed: an open attempt.
            let killed = try WorkerProcess.launch(harness, arguments: [
                "--server-url", "http://127.0.0.1:\(try FreePort.find())", "--max-attempts", "100", "--request-deadline", "600",
                "--breaker-failures", "10000",
            ])
            defer { killed.kill(SIGKILL) }
            let recorded = await Self.journal(harness, within: .seconds(60)) { $0.count >= 1 }
            killed.kill(SIGKILL)
            try #require(recorded, "no attempt was recorded: \(killed.logTail())")
            // The next owner inherits the mark while Informatica refuses connections: each call fails certainly not
            // acted on, opens the breaker for 1 s and holds the record; after a few holds it stops gracefully.
            let holding = try harness.startWorker { configuration in
                configuration.informatica.session = .identityService(
                    loginURL: harness.simulator.baseURL, serverURL: "http://127.0.0.1:\(try! FreePort.find())", credentials: harness.credentials)
                configuration.informatica.retry.maxAttempts = 1
                configuration.informatica.circuitBreaker.failureThreshold = 1
                configuration.informatica.circuitBreaker.openDuration = .seconds(1)
                configuration.maxOutageRetries = 1000
                configuration.rebalanceDrainTimeout = .seconds(2)
            }
            let attemptsWhileHeld = 3
            let heldOften = await Self.journal(harness, within: .seconds(60)) {
                $0.count { $0.contains(#""kind":"attempt""#) } >= 1 + attemptsWhileHeld
            }
            try await holding.stop()
            try #require(heldOften, "the record was not held \(attemptsWhileHeld) times: \(holding.worker.statistics)")
            let afterHolds = try await harness.journalValues()
            #expect(!afterHolds.contains { $0.contains(#""kind":"released""#) }, "a held job closed the attempt: \(afterHolds)")
            #expect(holding.worker.statistics.inDoubt == 1, "counted per held job: \(holding.worker.statistics)")
            // A third member with Informatica up starts it, flagged: the killed member's request may have acted.
            let starting = try harness.startWorker { $0.rebalanceDrainTimeout = .seconds(2) }
            let records = try await harness.readOutputs(timeout: .seconds(60)) { records in
                records.contains { $0.topic == harness.topics.output && $0.headers.last(named: "ce_subject") == "ct-held" }
            }
            try await starting.stop()
            let event = try #require(records.first { $0.topic == harness.topics.output && $0.headers.last(named: "ce_subject") == "ct-held" })
            #expect(event.headers.last(named: "ce_type") == "codetask.job.started")
            #expect(try JSONParser.parse(event.value)["possibleDuplicate"] == .bool(true), "a possible second job is not flagged")
            #expect(starting.worker.statistics.inDoubt == 1)
            #expect(sent.count == 1)
        }
    }

    /// Whether the journal's record values meet `condition` within `timeout`.
    private static func journal(_ harness: WorkerHarness, within timeout: Duration, _ condition: ([String]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let values = try? await harness.journalValues(), condition(values) { return true }
            try? await Task.sleep(for: .milliseconds(300))
        }
        return false
    }
}
}
