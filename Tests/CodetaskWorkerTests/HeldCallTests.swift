import CodetaskDemo
import CodetaskWorker
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
}
}
