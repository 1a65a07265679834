import CodetaskDemo
import CodetaskWorker
import Foundation
import InformaticaSimulator
import Kafka
import KafkaTestSupport
import Testing

extension WorkerIntegration {
@Suite("The worker under outages, shutdowns and crashes", .serialized)
struct ResilienceTests {
    /// CI runs the mock cluster (the outage is Informatica's, whatever the broker); the full profile both brokers.
    @Test("Informatica down for 30 s: the breaker opens, consumption pauses, work resumes, nothing lost, attempts bounded",
          arguments: TestProfile.isFull ? BrokerKind.allCases : [.mock])
    func informaticaOutage(kind: BrokerKind) async throws {
        announce("informaticaOutage", kind)
        try await WorkerHarness.with(kind) { harness in
            let (maxInFlight, maxAttempts, openSeconds) = (8, 5, 2)
            let running = try harness.startWorker { configuration in
                configuration.maxInFlight = maxInFlight
                configuration.informatica.retry.maxAttempts = maxAttempts
                configuration.informatica.retry.deadline = .seconds(10)
                configuration.informatica.circuitBreaker.failureThreshold = 5
                configuration.informatica.circuitBreaker.openDuration = .seconds(openSeconds)
            }
            let samples = (0..<300).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") }
            var produced = try await harness.produce(Array(samples.prefix(100)))
            #expect(await WorkerHarness.eventually { running.worker.statistics.started == 100 })

            var faults = FaultConfiguration()
            faults.startErrorRates = [503: 1.0]
            harness.simulator.setFaults(faults)
            let outageStart = ContinuousClock.now
            let callsBefore = harness.simulator.startCalls.calls.count
            produced.merge(try await harness.produce(Array(samples.suffix(200)))) { first, _ in first }
            let paused = await WorkerHarness.eventually(timeout: .seconds(15)) { running.worker.isPaused }
            try await Task.sleep(until: outageStart + .seconds(30))
            let callsDuring = harness.simulator.startCalls.calls.count - callsBefore
            harness.simulator.setFaults(FaultConfiguration())

            let audit = try await harness.audit(produced.keys)
            let pausedAfterRecovery = running.worker.isPaused
            try await running.stop()
            let probes = 30 / openSeconds
            let bound = maxInFlight * maxAttempts + 2 * probes
            print("[worker-tests] informaticaOutage on \(kind): Start calls during 30 s outage=\(callsDuring) (bound \(bound)), "
                  + "started=\(audit.startedCount) failed=\(audit.failedCount) lost=\(audit.lost.count)")
            #expect(paused, "consumption never paused while the breaker was open")
            #expect(audit.lost.isEmpty, "lost \(audit.lost.count)")
            #expect(callsDuring <= bound)
            // Requests are held while the breaker judges Informatica down, not failed: every one starts once
            // it is back (failing would take more outage retries than a 30 s outage allows).
            #expect(audit.startedCount == 300, "\(audit.failedCount) requests failed during the outage")
            #expect(!pausedAfterRecovery, "consumption did not resume after the outage")
        }
    }

    @Test("mock only: all brokers down mid-run and back: nothing lost")
    func brokersDown() async throws {
        announce("brokersDown", .mock)
        try await WorkerHarness.with(.mock) { harness in
            let mock = try #require(harness.broker.mock)
            let produced = try await harness.produce((0..<500).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            harness.simulator.setFaults({ var faults = FaultConfiguration(); faults.latency = .fixed(milliseconds: 20); return faults }())
            let running = try harness.startWorker { $0.maxInFlight = 8 }
            #expect(await WorkerHarness.eventually { running.worker.statistics.started >= 100 })
            try mock.setAllBrokersDown()
            try await Task.sleep(for: .seconds(5))
            let startedWhileDown = running.worker.statistics.started
            try mock.setAllBrokersUp()
            let audit = try await harness.audit(produced.keys)
            try await running.stop()
            print("[worker-tests] brokersDown: acknowledged before/while down=\(startedWhileDown), "
                  + "started=\(audit.startedCount) lost=\(audit.lost.count) started twice=\(extraStarts(harness.simulator))")
            #expect(audit.lost.isEmpty, "lost \(audit.lost.count)")
            #expect(audit.startedCount == 500)
        }
    }

    @Test("graceful shutdown mid-run, then restart: every request has its event, none started twice",
          arguments: BrokerKind.allCases)
    func gracefulRestart(kind: BrokerKind) async throws {
        announce("gracefulRestart", kind)
        try await WorkerHarness.with(kind, simulator: { $0.faults.latency = .fixed(milliseconds: 30) }) { harness in
            let produced = try await harness.produce((0..<600).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            let first = try harness.startWorker { $0.maxInFlight = 16 }
            #expect(await WorkerHarness.eventually { first.worker.statistics.started >= 150 })
            try await first.stop()
            let firstRun = first.worker.statistics
            let committedAfterFirst = try await harness.committedPositions().values.reduce(0, +)
            let second = try harness.startWorker { $0.maxInFlight = 16 }
            let audit = try await harness.audit(produced.keys)
            try await second.stop()
            print("[worker-tests] gracefulRestart on \(kind): first run \(firstRun); committed then \(committedAfterFirst); "
                  + "second run \(second.worker.statistics); started twice=\(extraStarts(harness.simulator))")
            // Records finished above a gap (a later record of a busy key) travel in the commit's metadata.
            #expect(committedAfterFirst <= Int64(firstRun.started))
            #expect(audit.lost.isEmpty, "lost \(audit.lost.count)")
            #expect(audit.startedCount == 600)
            #expect(harness.simulator.startCalls.duplicateStarts.isEmpty)
            #expect(try await harness.committedPositions() == WorkerHarness.endPositions(produced.keys))
        }
    }

    @Test("two workers share the group; one leaves mid-run: its partitions move after a drain, nothing lost, none started twice",
          arguments: BrokerKind.allCases)
    func scaleInMidRun(kind: BrokerKind) async throws {
        announce("scaleInMidRun", kind)
        try await WorkerHarness.with(kind, simulator: { $0.faults.latency = .fixed(milliseconds: 20) }) { harness in
            // Scale out as an operator would: the second member joins once the first holds every partition.
            let first = try harness.startWorker { $0.maxInFlight = 8 }
            #expect(await WorkerHarness.eventually(timeout: .seconds(90)) {
                first.worker.assignment.count == WorkerHarness.inputPartitions
            }, "the first worker never got the partitions")
            let second = try harness.startWorker { $0.maxInFlight = 8 }
            let shared = await WorkerHarness.eventually(timeout: .seconds(90)) {
                !first.worker.assignment.isEmpty && !second.worker.assignment.isEmpty
                    && first.worker.assignment.count + second.worker.assignment.count == WorkerHarness.inputPartitions
            }
            #expect(shared, "the two workers never shared the partitions")
            let produced = try await harness.produce((0..<800).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            #expect(await WorkerHarness.eventually { first.worker.statistics.started >= 50 && second.worker.statistics.started >= 50 })
            try await second.stop()
            let audit = try await harness.audit(produced.keys)
            try await first.stop()
            print("[worker-tests] scaleInMidRun on \(kind): staying \(first.worker.statistics); leaving \(second.worker.statistics); "
                  + "started twice=\(extraStarts(harness.simulator))")
            #expect(audit.lost.isEmpty, "lost \(audit.lost.count)")
            #expect(audit.startedCount == 800)
            #expect(harness.simulator.startCalls.duplicateStarts.isEmpty)
            #expect(try await harness.committedPositions() == WorkerHarness.endPositions(produced.keys))
        }
    }

    @Test("kill -9 mid-run, then restart: nothing lost; tasks started twice never exceed the requests in flight at the kill",
          arguments: BrokerKind.allCases)
    func killNine(kind: BrokerKind) async throws {
        announce("killNine", kind)
        // 4 calls in flight of 50 ms each: about 80 starts a second, so commits are under way at the kill.
        try await WorkerHarness.with(kind, simulator: { $0.faults.latency = .fixed(milliseconds: 50) }) { harness in
            let produced = try await harness.produce((0..<1000).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            let first = try WorkerProcess.launch(harness)
            defer { first.kill(SIGKILL) }
            let reached = await WorkerHarness.eventually(timeout: .seconds(120)) { harness.simulator.startCalls.calls.count >= 300 }
            first.kill(SIGKILL)
            #expect(reached, "the worker process made no progress: \(first.logTail())")
            let startedAtKill = harness.simulator.startCalls.calls.filter { $0.jobId != nil }.count
            let committedAtKill = Int(try await harness.committedPositions().values.reduce(0, +))
            let inFlightAtKill = startedAtKill - committedAtKill

            let second = try WorkerProcess.launch(harness, maxInFlight: 32)
            defer { second.kill(SIGKILL) }
            let audit = try await harness.audit(produced.keys)
            second.kill(SIGTERM)
            let status = second.waitForExit()
            let startedTwice = extraStarts(harness.simulator)
            print("[worker-tests] killNine on \(kind): started before the kill=\(startedAtKill), committed=\(committedAtKill), "
                  + "in flight at the kill=\(inFlightAtKill), started twice=\(startedTwice), lost=\(audit.lost.count)")
            #expect(audit.lost.isEmpty, "lost \(audit.lost.count)")
            #expect(audit.startedCount == 1000)
            #expect(startedTwice <= inFlightAtKill)
            #expect(status == 0, "SIGTERM should end the restarted worker cleanly: \(second.logTail())")
        }
    }
}
}
