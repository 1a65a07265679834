import CodetaskDemo
import CodetaskWorker
import Foundation
import Kafka
import KafkaTestSupport
import Prometheus
import Synchronization
import Testing

extension WorkerIntegration {
@Suite("Reads at assignment: bounded retries, readiness and metrics", .serialized)
struct AssignmentReadTests {
    /// Issue 19 item 6: committed-offset reads that keep failing at assignment used to be retried silently (a log
    /// line, nothing else). Now `/readyz` fails on `assignment`, naming a partition, once one has been loading for
    /// longer than the limit (1 s here), the failures are counted, an error-level line is logged past the limit, and
    /// readiness recovers once the reads go through (and every record is then processed once).
    @Test func readinessShowsAPartitionStuckLoadingAndRecovers() async throws {
        announce("assignment readinessShowsAPartitionStuckLoadingAndRecovers", .mock)
        try await WorkerHarness.with(.mock) { harness in
            let produced = try await harness.produce((0..<12).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            let registry = PrometheusCollectorRegistry()
            let health = WorkerHealth(unfinishedAgeLimit: .seconds(300), loadingLimit: .seconds(1))
            let logs = LogCapture()
            var logger = logs.logger("worker")
            logger.logLevel = .notice
            // Retried inside librdkafka until they run out (its backoff grows to 1 s): the worker's reads time out
            // (5 s each) for some seconds. An error that librdkafka does not retry would fail its own OffsetFetch at
            // assignment too, and librdkafka then never fetches those partitions until they are assigned again.
            let coordinatorLoadInProgress = KafkaError.Code(rawValue: 14)
            harness.broker.mock!.pushRequestErrors(.offsetFetch, Array(repeating: coordinatorLoadInProgress, count: 30))
            let worker = try harness.startWorker(logger: logger, health: health, metrics: PrometheusMetricsFactory(registry: registry))
            var stuck: HealthReport.Check?
            let sawStuck = await WorkerHarness.eventually(timeout: .seconds(40)) {
                stuck = health.readiness().checks.first { $0.name == "assignment" && !$0.ok }
                return stuck != nil
            }
            #expect(sawStuck, "readiness never showed a partition stuck loading")
            #expect(stuck?.detail.contains(harness.topics.input) == true, "\(String(describing: stuck))")
            #expect(registry.emitToString().contains("codetask_worker_partitions_loading 6"))
            let counted = await WorkerHarness.eventually(timeout: .seconds(20)) {
                registry.emitToString().contains("codetask_worker_assignment_read_failures_total{read=\"committed_offsets\"}")
            }
            #expect(counted, "no failed read counted")
            let recovered = await WorkerHarness.eventually(timeout: .seconds(60)) {
                health.readiness().checks.first { $0.name == "assignment" }?.ok == true
            }
            #expect(recovered, "readiness did not recover: \(health.readiness().json)")
            let audit = try await harness.audit(produced.keys, timeout: .seconds(60))
            #expect(audit.lost.isEmpty && extraStarts(harness.simulator) == 0, "lost \(audit.lost.count): \(logs.text.suffix(6_000))")
            #expect(registry.emitToString().contains("codetask_worker_partitions_loading 0"))
            #expect(logs.text.contains("error worker Reading committed offsets failed for longer than the loading limit"),
                    "no error-level line past the limit")
            try await worker.stop()
        }
    }

    /// Issue 19 item 6, the decision: reads that keep failing past `--assignment-read-limit` (2 s here) stop the
    /// worker with an error naming the partitions and the setting (so the group gives them to another member),
    /// and nothing of them starts meanwhile.
    @Test func readsFailingPastTheLimitStopTheWorkerWithAnErrorNamingThem() async throws {
        announce("assignment readsFailingPastTheLimitStopTheWorkerWithAnErrorNamingThem", .mock)
        try await WorkerHarness.with(.mock) { harness in
            _ = try await harness.produce((0..<6).map { SampleRequests.valid(index: $0, codeTaskId: "ct-\($0)") })
            let coordinatorLoadInProgress = KafkaError.Code(rawValue: 14)
            harness.broker.mock!.pushRequestErrors(.offsetFetch, Array(repeating: coordinatorLoadInProgress, count: 1_000))
            let began = ContinuousClock.now
            let worker = try harness.startWorker { $0.assignmentReadLimit = .seconds(2) }
            let outcome = RunOutcome()
            let watcher = Task {
                do { try await worker.task.value; outcome.set("returned without an error") } catch { outcome.set("\(error)") }
            }
            let ended = await WorkerHarness.eventually(timeout: .seconds(60)) { outcome.value != nil }
            let took = ContinuousClock.now - began
            let failure = outcome.value ?? "still running"
            print("[worker-tests] readsFailingPastTheLimit: ended after \(took): \(failure)")
            #expect(ended, "the worker did not stop")
            #expect(failure.contains("assignment-read-limit") && failure.contains(harness.topics.input), "\(failure)")
            #expect(harness.simulator.startCalls.calls.isEmpty, "a record of a partition never read started")
            if !ended { try await worker.stop() }
            _ = await watcher.result
        }
    }
}
}

/// How a worker's `run()` ended: `nil` while it runs.
private final class RunOutcome: Sendable {
    private let outcome = Mutex<String?>(nil)
    var value: String? { self.outcome.withLock { $0 } }
    func set(_ text: String) { self.outcome.withLock { $0 = text } }
}
