import CodetaskWorker
import Foundation
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
@Suite("Oversized Informatica answers", .timeLimit(.minutes(4)))
struct OversizedAnswerTests {
    @Test("""
        a started answer with a 1.5 MB field and a 400 with a 2 MB message: events too large to publish are \
        dead-lettered publish_failed (or capped); the partition moves on
        """,
          arguments: BrokerKind.allCases)
    func oversizedAnswers(kind: BrokerKind) async throws {
        announce("oversizedAnswers", kind)
        let rules = [
            TaskRule(id: "ct-big-started", status: 200, paddingBytes: 1_500_000),
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
            let deadline = ContinuousClock.now + .seconds(90)
            var committed: Int64?
            while ContinuousClock.now < deadline {
                committed = try? await harness.committedPositions()[0]
                if committed == end { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await running.stop()
            #expect(committed == end, "the partition did not move past the oversized answers: \(running.worker.statistics)")
            #expect(harness.simulator.startCalls.calls.filter { $0.codeTaskId == "ct-big-started" }.count == 1)

            let consumer = try harness.broker.makeConsumer(group: uniqueName("reader"))
            try consumer.subscribe(topics: [harness.topics.deadLetter, harness.topics.output])
            var records: [KafkaMessage] = []
            let readEnd = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < readEnd { records += try await consumer.poll(timeout: .milliseconds(200)) }
            try await consumer.close()
            let deadLetters = records.filter { $0.topic == harness.topics.deadLetter }
            let events = records.filter { $0.topic == harness.topics.output }
            // The started event (over 1.5 MB) can only be dead-lettered: publish_failed, shortened to fit.
            let started = deadLetters.filter { $0.headers.last(named: "dlq_source_offset") == String(sent["ct-big-started"]!) }
            #expect(started.count == 1)
            #expect(started.first?.headers.last(named: "dlq_reason") == "publish_failed")
            #expect(started.first?.headers.last(named: "dlq_target_topic") == harness.topics.output)
            #expect(started.first?.headers.last(named: "dlq_truncated") == "true")
            #expect((started.first?.value.count ?? .max) < 1_000_000)
            // The failed event: dead-lettered the same way, or published with the message capped.
            let errorDeadLetters = deadLetters.filter {
                $0.headers.last(named: "dlq_source_offset") == String(sent["ct-big-error"]!)
            }
            let errorEvents = events.filter { $0.headers.last(named: "ce_subject") == "ct-big-error" }
            #expect(errorDeadLetters.count + errorEvents.count == 1)
            #expect(events.contains { $0.headers.last(named: "ce_subject") == "ct-after" })
            for record in records { #expect(record.value.count < 1_000_000) }
            print("[worker-tests] oversizedAnswers on \(kind): \(running.worker.statistics); failed event "
                  + (errorEvents.isEmpty ? "dead-lettered" : "capped to \(errorEvents[0].value.count) bytes"))
        }
    }
}
}
