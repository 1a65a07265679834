import CodetaskWorker
import Foundation
import InformaticaClient
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
@Suite("Oversized Informatica answers", .timeLimit(.minutes(4)))
struct OversizedAnswerTests {
    @Test("""
        a started answer with a 3 MB field and a 400 with a 2 MB message: the started event reaches the output \
        topic with its jobId and the field replaced by a size marker; the failed event is dead-lettered \
        publish_failed (or capped); the partition moves on
        """,
          arguments: BrokerKind.allCases)
    func oversizedAnswers(kind: BrokerKind) async throws {
        announce("oversizedAnswers", kind)
        let padding = 3_000_000
        let rules = [
            TaskRule(id: "ct-big-started", status: 200, paddingBytes: padding),
            TaskRule(id: "ct-big-error", status: 400, paddingBytes: 2_000_000),
        ]
        try await WorkerHarness.with(kind, simulator: { $0.taskRules = rules }) { harness in
            let producer = try harness.broker.makeProducer()
            var sent: [String: Int64] = [:]
            for id in ["ct-big-started", "ct-big-error", "ct-after"] {
                let report = try await producer.send(KafkaOutgoingMessage(
                    topic: harness.topics.input, partition: 0, key: "k-\(id)", value: #"{"codeTaskId":"\#(id)"}"#))
                sent[id] = report.offset
            }
            await producer.close(timeout: .seconds(5))
            let running = try harness.startWorker()
            let end = sent["ct-after"]! + 1
            let committed = try await harness.committedPositions(reaching: [0: end], timeout: .seconds(90))[0]
            try await running.stop()
            #expect(committed == end, "the partition did not move past the oversized answers: \(running.worker.statistics)")
            let calls = harness.simulator.startCalls.calls.filter { $0.codeTaskId == "ct-big-started" }
            #expect(calls.count == 1)
            let jobId = try #require(calls.first?.jobId)

            let records = try await harness.readOutputs(until: { records in
                ["ct-big-started", "ct-big-error", "ct-after"].allSatisfy { id in
                    records.contains { $0.headers.last(named: "ce_subject") == id || $0.headers.last(named: "dlq_source_offset") == String(sent[id]!) }
                }
            })
            let deadLetters = records.filter { $0.topic == harness.topics.deadLetter }
            let events = records.filter { $0.topic == harness.topics.output }
            // The started event: on the output topic, never dead-lettered, with the jobId and the padding's size.
            #expect(!deadLetters.contains { $0.headers.last(named: "dlq_source_offset") == String(sent["ct-big-started"]!) })
            let started = events.filter { $0.headers.last(named: "ce_subject") == "ct-big-started" }
            #expect(started.count == 1)
            let body = try JSONParser.parse(try #require(started.first).value)
            #expect(started.first?.headers.last(named: "ce_type") == "codetask.job.started")
            #expect(body["jobId"]?.stringValue == jobId)
            #expect(body["codeTaskId"]?.stringValue == "ct-big-started")
            #expect(body["extra"]?["padding"]?["truncated"] == .bool(true))
            #expect(body["extra"]?["padding"]?["bytes"] == .integer(Int64(padding + 2)))
            // The failed event: dead-lettered the same way, or published with the message capped.
            let errorDeadLetters = deadLetters.filter {
                $0.headers.last(named: "dlq_source_offset") == String(sent["ct-big-error"]!)
            }
            let errorEvents = events.filter { $0.headers.last(named: "ce_subject") == "ct-big-error" }
            #expect(errorDeadLetters.count + errorEvents.count == 1)
            #expect(events.contains { $0.headers.last(named: "ce_subject") == "ct-after" })
            for record in records { #expect(record.value.count < 1_000_000) }
            print("[worker-tests] oversizedAnswers on \(kind): \(running.worker.statistics); started event "
                  + "\(started.first?.value.count ?? 0) bytes; failed event "
                  + (errorEvents.isEmpty ? "dead-lettered" : "capped to \(errorEvents[0].value.count) bytes"))
        }
    }
}
}
