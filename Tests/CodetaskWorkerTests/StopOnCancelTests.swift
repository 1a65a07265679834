import CodetaskDemo
import Foundation
import InformaticaClient
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Testing

@testable import CodetaskWorker

extension WorkerIntegration {
@Suite("Cancelling the worker's task is a stop", .timeLimit(.minutes(2)))
struct StopOnCancelTests {
    @Test("""
        mock only: Start calls hanging, the task running run() cancelled: run returns within the stop bound, and \
        afterwards no Start call is made, no job runs and nothing retries a publish
        """)
    func cancelStopsWithinTheBound() async throws {
        announce("cancelStopsWithinTheBound", .mock)
        try await WorkerHarness.with(.mock) { harness in
            let grace = Duration.seconds(2)
            let running = try harness.startWorker { configuration in
                configuration.shutdownGracePeriod = grace
                // Each attempt times out before the simulator answers: calls keep retrying (in doubt) while they run.
                configuration.informatica.retry.attemptTimeout = .seconds(1)
            }
            // One request answered at once first, so the worker has joined and logged in before calls hang.
            _ = try await harness.produce([SampleRequests.valid(index: 0, codeTaskId: "ct-warm")])
            #expect(await WorkerHarness.eventually { running.worker.statistics.started == 1 })
            var faults = FaultConfiguration()
            faults.latency = .fixed(milliseconds: 1500)
            harness.simulator.setFaults(faults)
            _ = try await harness.produce((1...12).map { SampleRequests.valid(index: $0, codeTaskId: "ct-hang-\($0)") })
            let hanging = await WorkerHarness.eventually(timeout: .seconds(30)) {
                harness.simulator.startCalls.calls.count >= 7 && running.worker.statistics.inFlight >= 3
            }
            #expect(hanging, "the Start calls never hung: \(running.worker.statistics)")

            let cancelled = ContinuousClock.now
            running.task.cancel()
            let outcome = await running.task.result
            let took = ContinuousClock.now - cancelled
            let callsAtReturn = harness.simulator.startCalls.calls.count
            let atReturn = running.worker.statistics
            try await Task.sleep(for: .seconds(4))
            let later = running.worker.statistics
            let callsLater = harness.simulator.startCalls.calls.count
            print("[worker-tests] cancelStopsWithinTheBound: run returned after \(took); Start calls \(callsAtReturn) then "
                  + "\(callsLater); in flight \(atReturn.inFlight); publish retries \(atReturn.publishRetries) then "
                  + "\(later.publishRetries)")
            #expect(throws: Never.self) { try outcome.get() }
            #expect(took < grace + .seconds(5) + .seconds(1), "run() took \(took) to return after the cancellation")
            #expect(atReturn.inFlight == 0, "jobs still running after run() returned")
            #expect(callsLater == callsAtReturn, "Start calls were made after run() returned")
            #expect(later.publishRetries == atReturn.publishRetries, "publishes retried after run() returned")
        }
    }

    @Test("mock only: after the producer closed, checkpoint writes end at once instead of retrying")
    func checkpointsEndAfterClose() async throws {
        announce("checkpointsEndAfterClose", .mock)
        try await WorkerHarness.with(.mock) { harness in
            let worker = try Worker(configuration: harness.configuration(), logger: harness.logger)
            let journal = try #require(worker.journal)
            let partition = TopicPartition(topic: harness.topics.input, partition: 0)
            await worker.closeClients(until: .now + .seconds(2))
            let began = ContinuousClock.now
            let ended = await Bounded.run(until: .now + .seconds(5)) {
                await worker.writeCheckpoints([partition: JournalLedger.Checkpoint(committed: 3, start: 7)], journal: journal)
            }
            #expect(ended, "a checkpoint write after the producer closed was still retrying after 5 s")
            #expect(ContinuousClock.now - began < .seconds(1))
            #expect(worker.statistics.publishRetries == 0)
        }
    }
}
}
